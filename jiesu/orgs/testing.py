"""One fixture world for tests: center → district → township, one user per role, an outsider.

Built through services, as production data is. Used by every app's tests via conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.orgs.services import unit_create, user_create

PASSWORD = "Jiesu-test-2026!"  # noqa: S105 - test accounts only


@dataclass
class World:
    city: Unit
    center: Unit
    district: Unit
    township: Unit
    other_district: Unit
    other_township: Unit
    office: Unit
    agent: User
    shift_lead: User
    callback_agent: User
    analyst: User
    leader: User
    district_staff: User
    township_staff: User
    other_staff: User
    office_staff: User
    system_admin: User
    security_admin: User
    audit_admin: User
    outsider: User
    knowledge_editor: User


def build_world() -> World:
    city = unit_create(name="北京市", kind=UnitKind.CITY, code="110000")
    center = unit_create(name="民政热线分中心", kind=UnitKind.CENTER, parent=city, code="C001")
    district = unit_create(name="朝阳区", kind=UnitKind.DISTRICT, parent=city, code="110105")
    township = unit_create(name="望京街道", kind=UnitKind.TOWNSHIP, parent=district, code="110105026")
    other_district = unit_create(name="海淀区", kind=UnitKind.DISTRICT, parent=city, code="110108")
    other_township = unit_create(name="学院路街道", kind=UnitKind.TOWNSHIP, parent=other_district, code="110108010")
    office = unit_create(name="社会救助处", kind=UnitKind.OFFICE, parent=center, code="C001-01")

    def user(name: str, unit: Unit | None, *roles: str) -> User:
        return user_create(username=name, password=PASSWORD, unit=unit, roles=roles, display_name=name)

    return World(
        city=city,
        center=center,
        district=district,
        township=township,
        other_district=other_district,
        other_township=other_township,
        office=office,
        agent=user("agent", center, Role.AGENT),
        shift_lead=user("lead", center, Role.SHIFT_LEAD, Role.AGENT),
        callback_agent=user("callback", center, Role.CALLBACK_AGENT),
        analyst=user("analyst", center, Role.ANALYST),
        leader=user("leader", center, Role.LEADER),
        district_staff=user("district_staff", district, Role.UNIT_STAFF),
        township_staff=user("township_staff", township, Role.UNIT_STAFF),
        other_staff=user("other_staff", other_township, Role.UNIT_STAFF),
        office_staff=user("office_staff", office, Role.UNIT_STAFF),
        system_admin=user("sysadmin", center, Role.SYSTEM_ADMIN),
        security_admin=user("secadmin", center, Role.SECURITY_ADMIN),
        audit_admin=user("auditadmin", center, Role.AUDIT_ADMIN),
        outsider=user("outsider", None),
        knowledge_editor=user("editor", center, Role.KNOWLEDGE_EDITOR),
    )
