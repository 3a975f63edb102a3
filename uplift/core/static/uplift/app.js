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
      chart.on('click', function (p) {  // drill-down to the records behind a bar or a point
        var url = linkOf(spec, p);
        if (url) window.location.href = url;
      });
      charts.add(chart);
      if (observer) observer.observe(el);
    });
  }

  /* The URL behind what was clicked: per series (series_links) or per category (links). */
  function linkOf(spec, p) {
    if (p.componentType !== 'series') return null;
    if (spec.series_links) return (spec.series_links[p.seriesIndex] || [])[p.dataIndex] || null;
    if (p.seriesIndex > 0 && spec.kind === 'band') return null;
    return (spec.links || [])[p.dataIndex] || null;
  }

  function percent(v) { return v == null ? '—' : Number(v).toFixed(1) + '%'; }

  /* Amounts as the pages write them (uplift.core.money): ¥142,490,000 in full; on an axis short,
     1.42亿元 in Chinese, ¥142M in English (three significant digits). */
  function yuanFull(v) {
    if (v == null) return '—';
    var n = Number(v);
    return (n < 0 ? '-' : '') + '¥' + Math.abs(n).toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  function yuanShort(v) {
    if (v == null) return '—';
    var lang = (document.documentElement.lang || 'zh-hans').toLowerCase();
    var hant = lang === 'zh-hant';
    var units = lang.indexOf('zh') === 0
      ? [[1e8, 1e8, '', hant ? '億元' : '亿元'], [1e4, 1e4, '', hant ? '萬元' : '万元']]
      : [[1e9, 1e9, '¥', 'B'], [1e6, 1e6, '¥', 'M'], [1e4, 1e3, '¥', 'K']];
    var n = Number(v), a = Math.abs(n);
    for (var i = 0; i < units.length; i++) {
      if (a < units[i][0]) continue;
      var x = a / units[i][1];
      var digits = Math.max(0, 3 - String(Math.floor(x)).length);
      var shown = Number(x.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
      return (n < 0 ? '-' : '') + units[i][2] + shown + units[i][3];
    }
    return yuanFull(n);
  }

  function baseOption(spec, el) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: getComputedStyle(el).fontFamily },
      animation: false
    };
  }

  /* A funnel: spec.categories are the stages, spec.series[0].data their counts. */
  function funnelOption(spec, el) {
    var fmt = function (v) { return Number(v).toLocaleString(); };
    return Object.assign(baseOption(spec, el), {
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + ': ' + fmt(p.value); } },
      series: [{
        type: 'funnel', sort: 'none', gap: 2, minSize: '24%', left: 8, width: '48%', top: 8, bottom: 8,
        cursor: 'pointer', labelLine: { show: true, length: 12 },
        label: { show: true, position: 'right', color: '#1f2933', formatter: function (p) { return p.name + '  ' + fmt(p.value); } },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].data[i] }; })
      }]
    });
  }

  /* A rate over time with its interval as a shaded band, the programme period marked. */
  function bandOption(spec, el) {
    var lower = spec.lower || [], upper = spec.upper || [];
    var span = upper.map(function (u, i) { return u == null || lower[i] == null ? null : u - lower[i]; });
    var period = spec.periods && spec.periods.from ? [[{ xAxis: spec.periods.from, name: spec.periods.label }, { xAxis: spec.periods.to }]] : [];
    return Object.assign(baseOption(spec, el), {
      tooltip: {
        trigger: 'axis',
        formatter: function (items) {
          var i = items[0].dataIndex;
          return spec.categories[i] + '<br>' + spec.series[0].name + ': ' + percent(spec.series[0].data[i]) +
            ' (' + (spec.counts || [])[i] + ')<br>' + spec.band_label + ': ' + percent(lower[i]) + ' – ' + percent(upper[i]);
        }
      },
      grid: { left: 8, right: 28, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: spec.categories, boundaryGap: false },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: spec.series[0].name, type: 'line', data: spec.series[0].data, cursor: 'pointer', z: 3,
          symbolSize: 7, markArea: { silent: true, itemStyle: { color: 'rgba(31, 78, 140, 0.06)' }, label: { position: 'insideTop', color: '#5b6776' }, data: period }
        },
        { name: 'lower', type: 'line', data: lower, stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', silent: true },
        { name: spec.band_label, type: 'line', data: span, stack: 'band', lineStyle: { opacity: 0 }, symbol: 'none', silent: true, areaStyle: { color: 'rgba(58, 143, 183, 0.25)' } }
      ]
    });
  }

  function buildOption(spec, el) {
    if (spec.kind === 'funnel') return funnelOption(spec, el);
    if (spec.kind === 'band') return bandOption(spec, el);
    return barOption(spec, el);
  }

  /* Bars by category (spec.kind 'bar'), or horizontal bars ('hbar'), with optional targets
   * (a dashed line), a mark line (spec.mark) and intervals per series shown in the tooltip. */
  function barOption(spec, el) {
    var categories = spec.categories || [];
    var links = spec.links || [];
    var targets = spec.targets || spec.target;
    var horizontal = spec.kind === 'hbar';
    var fmt = spec.unit === '%' ? percent : function (v) { return v == null ? '—' : Number(v).toLocaleString(); };
    var tip = fmt;  // the tooltip's figure: an amount in full, its axis short
    if (spec.unit === 'yuan') { fmt = function (v) { return Number(v) === 0 ? '0' : yuanShort(v); }; tip = yuanFull; }
    var clickable = links.length || spec.series_links;
    var series = (spec.series || []).map(function (s, k) {
      var one = {
        name: s.name, type: 'bar', barMaxWidth: 40,
        cursor: clickable ? 'pointer' : 'default',
        data: s.data, emphasis: { focus: 'series' }
      };
      if (k === 0 && spec.mark != null) {
        one.markLine = { silent: true, symbol: 'none', lineStyle: { color: TARGET_COLOUR, type: 'dashed' },
          label: { formatter: spec.mark_label || '', position: horizontal ? 'start' : 'end' }, data: [horizontal ? { xAxis: spec.mark } : { yAxis: spec.mark }] };
      }
      return one;
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
      animation: false,
      textStyle: { fontFamily: getComputedStyle(el).fontFamily },
      title: showTitle ? { text: spec.title, left: 0, textStyle: { fontSize: 14, fontWeight: 600 } } : undefined,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (items) {
        return items.map(function (p, n) {
          var line = (n === 0 ? p.name + '<br>' : '') + p.marker + p.seriesName + ': ' + tip(p.value);
          var iv = spec.intervals && (spec.intervals[p.seriesIndex] || [])[p.dataIndex];
          var note = spec.series[p.seriesIndex] && (spec.series[p.seriesIndex].notes || [])[p.dataIndex];
          if (iv) line += ' [' + percent(iv[0]) + ', ' + percent(iv[1]) + ']';
          if (note) line += ' (' + note + ')';
          return line;
        }).join('<br>');
      } },
      legend: series.length > 1 ? { top: showTitle ? 24 : 0, right: 0 } : undefined,
      grid: { left: 8, right: 24, top: showTitle || series.length > 1 ? 56 : 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? { type: 'value', axisLabel: { formatter: fmt } } : {
        type: 'category', data: categories,
        axisLabel: { interval: 0, rotate: rotate, hideOverlap: true }, axisTick: { alignWithLabel: true }
      },
      yAxis: horizontal ? { type: 'category', data: categories, inverse: true, axisLabel: { width: 160, overflow: 'truncate' } }
        : { type: 'value', axisLabel: { formatter: fmt } },
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

  // The side navigation on a narrow screen (a tablet): hidden behind the topbar's menu button,
  // which this script shows; without the script the navigation is a strip above the content.
  document.documentElement.classList.add('js');
  function setNav(open) {
    document.body.classList.toggle('nav-open', open);
    all(document, '[data-nav-toggle]').forEach(function (b) { b.setAttribute('aria-expanded', String(open)); });
  }
  document.addEventListener('click', function (e) {
    var toggle = e.target.closest && e.target.closest('[data-nav-toggle]');
    if (toggle) { setNav(!document.body.classList.contains('nav-open')); return; }
    // A click outside the open navigation closes it.
    if (document.body.classList.contains('nav-open') && !(e.target.closest && e.target.closest('nav.sidenav'))) setNav(false);
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
      setNav(false);
      var toggle = document.querySelector('[data-nav-toggle]');
      if (toggle) toggle.focus();
    }
  });

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
