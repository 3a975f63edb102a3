/*
 * Uplift 品质提升 — page behaviour. Plain ES2017, no inline scripts (CSP).
 * Runs on DOMContentLoaded and again inside content swapped in by htmx.
 */
(function () {
  'use strict';

  var PALETTE = ['#1f4e8c', '#3a8fb7', '#5b9a68', '#c98a1b', '#7a5ea8', '#8a96a3'];
  var TARGET_COLOUR = '#a4262c';
  var charts = new Set();  // live ECharts instances, resized on window resize
  // Also follow container size changes (grid reflow, sidenav collapse).
  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (en) { var c = window.echarts.getInstanceByDom(en.target); if (c) c.resize(); });
  }) : null;

  /* Elements matching selector inside root, root itself included. */
  function all(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  /* Progress bars: <div class="progress"><span data-pct="72"></span></div> */
  function initProgress(root) {
    all(root, '.progress > span[data-pct]').forEach(function (bar) {
      var pct = parseFloat(bar.getAttribute('data-pct'));
      bar.style.width = (isFinite(pct) ? Math.max(0, Math.min(100, pct)) : 0) + '%';
    });
  }

  /* Charts: <div class="chart" data-chart="ID"> + json_script element with that ID. */
  function initCharts(root) {
    if (typeof window.echarts === 'undefined') return;  // page did not load ECharts
    all(root, '.chart[data-chart]').forEach(function (el) {
      if (window.echarts.getInstanceByDom(el)) return;  // already rendered
      var source = document.getElementById(el.getAttribute('data-chart'));
      if (!source) return;
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
      var chart = window.echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(buildOption(spec, el));
      var links = spec.links || [];
      chart.on('click', function (p) {  // drill-down to the records behind a bar
        if (p.componentType === 'series' && links[p.dataIndex]) window.location.href = links[p.dataIndex];
      });
      charts.add(chart);
      if (observer) observer.observe(el);
    });
  }

  function buildOption(spec, el) {
    var categories = spec.categories || [];
    var links = spec.links || [];
    var targets = spec.targets || spec.target;
    var fmt = function (v) { return v == null ? '—' : Number(v).toLocaleString(); };
    var series = (spec.series || []).map(function (s) {
      return {
        name: s.name, type: spec.type || 'bar', barMaxWidth: 40,
        cursor: links.length ? 'pointer' : 'default',
        data: s.data, emphasis: { focus: 'series' }
      };
    });
    if (Array.isArray(targets)) {
      series.push({
        name: spec.target_label || 'Target', type: 'line', data: targets,
        symbol: 'diamond', symbolSize: 10, z: 5, color: TARGET_COLOUR,
        lineStyle: { type: 'dashed', width: 1.5 }
      });
    }
    var longest = categories.reduce(function (n, c) { return Math.max(n, String(c).length); }, 0);
    var rotate = categories.length > 8 || categories.length * longest > 60 ? 35 : 0;
    // Skip the ECharts title when the card already shows a heading right above.
    var prev = el.previousElementSibling;
    var showTitle = spec.title && !(prev && /^H[1-6]$/.test(prev.tagName));
    return {
      color: PALETTE,
      textStyle: { fontFamily: getComputedStyle(el).fontFamily },
      title: showTitle ? { text: spec.title, left: 0, textStyle: { fontSize: 14, fontWeight: 600 } } : undefined,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
      legend: series.length > 1 ? { top: showTitle ? 24 : 0, right: 0 } : undefined,
      grid: { left: 8, right: 16, top: showTitle || series.length > 1 ? 56 : 16, bottom: 8 },
      xAxis: {
        type: 'category', data: categories,
        axisLabel: { interval: 0, rotate: rotate, hideOverlap: true }, axisTick: { alignWithLabel: true }
      },
      yAxis: { type: 'value', axisLabel: { formatter: fmt } },
      series: series
    };
  }

  function init(root) {
    initProgress(root);
    initCharts(root);
  }

  /* Delegated handlers: they cover htmx-swapped content without re-binding. */

  // <select data-autosubmit> submits its form on change.
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.matches && el.matches('select[data-autosubmit]') && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });

  // data-confirm on a form or on its submit button: ask before submitting.
  document.addEventListener('submit', function (e) {
    var holder = (e.submitter && e.submitter.hasAttribute('data-confirm')) ? e.submitter : e.target;
    var message = holder.getAttribute && holder.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // data-confirm on a button that does not submit a form (or on a link).
  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('a[data-confirm], button[data-confirm]');
    if (!el || (el.tagName === 'BUTTON' && el.form && el.type === 'submit')) return;  // handled on submit
    if (!window.confirm(el.getAttribute('data-confirm'))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // Keep charts fitted to their container; forget charts removed from the page.
  var resizeTimer;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (chart) {
        var dom = chart.getDom();
        if (!chart.isDisposed() && dom && dom.isConnected) { chart.resize(); return; }
        if (observer && dom) observer.unobserve(dom);
        if (!chart.isDisposed()) chart.dispose();
        charts.delete(chart);
      });
    }, 150);
  });

  // Re-initialise inside whatever htmx just swapped in.
  document.addEventListener('htmx:afterSettle', function (e) {
    init((e.detail && e.detail.elt) || e.target || document);
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  } else {
    init(document);
  }
})();
