"""Demo logins, one per role, on the Hubei programme."""

from __future__ import annotations

from uplift.registry.models import Enterprise

from .choices import OrganisationKind, Role
from .models import Organisation, User
from .services import membership_create, organisation_create, user_create

PASSWORD = "Uplift-demo-2018"


def _org(ctx, **data) -> Organisation:
    existing = Organisation.objects.filter(kind=data["kind"], name=data["name"]).first()
    return existing or organisation_create(actor=ctx.actor, **data)


def _user(ctx, username: str, display_name: str, org: Organisation, role: str, what: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(actor=ctx.actor, username=username, password=PASSWORD, display_name=display_name)
        membership_create(actor=ctx.actor, user=user, organisation=org, role=role)
    ctx.logins.append({"role": what, "username": username, "password": PASSWORD})
    return user


def build(ctx) -> None:
    bureau = _org(ctx, kind=OrganisationKind.BUREAU, name="湖北省市场监督管理局", region_id="420000")
    city = _org(ctx, kind=OrganisationKind.BUREAU, name="黄冈市市场监督管理局", region_id="421100")
    institution = ctx.objects["institutions"]["蕲春县蕲艾产业品质技术服务中心"]
    inst_org = _org(ctx, kind=OrganisationKind.INSTITUTION, name=institution.name, institution=institution)
    enterprise = (
        Enterprise.objects.filter(cluster_memberships__cluster__name="仙桃休闲女装")
        .order_by("credit_code")
        .first()
    )
    ent_org = _org(ctx, kind=OrganisationKind.ENTERPRISE, name=enterprise.name, enterprise=enterprise)
    panel = _org(ctx, kind=OrganisationKind.EXPERT_PANEL, name="湖北省品质提升专家库")

    _user(ctx, "hubei.officer", "省局项目处 王主任", bureau, Role.OFFICER, "province officer")
    _user(ctx, "huanggang.officer", "黄冈市局 李科长", city, Role.OFFICER, "city officer (Huanggang)")
    _user(
        ctx, "qichun.institution", "蕲艾服务中心 张工", inst_org, Role.INSTITUTION_STAFF, "institution user"
    )
    _user(
        ctx,
        "xiantao.enterprise",
        f"{enterprise.name} 质量部",
        ent_org,
        Role.ENTERPRISE_USER,
        "enterprise user",
    )
    # The login is a registry expert's: one named 陈, so that "expert.chen" and the name agree.
    experts = ctx.objects["experts"]
    expert = next((e for e in experts if e.name.startswith("陈")), experts[0])
    expert_user = _user(ctx, "expert.chen", f"{expert.name}{expert.title}", panel, Role.EXPERT, "expert")
    if expert.user_id is None:
        from uplift.registry.services import expert_update

        expert_update(actor=ctx.actor, instance=expert, user=expert_user)
    _user(ctx, "security.admin", "安全管理员", bureau, Role.SECURITY_ADMIN, "security admin")
    _user(ctx, "audit.admin", "审计管理员", bureau, Role.AUDIT_ADMIN, "audit admin")
    ctx.say("accounts: demo logins ready")
