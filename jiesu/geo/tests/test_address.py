import pytest

from jiesu.geo.services import address_index_reset, address_resolve
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World


@pytest.fixture
def index(world: World) -> World:
    unit_create(name="将台地区", kind=UnitKind.TOWNSHIP, parent=world.district, code="110105043")
    unit_create(name="望京西园社区居委会", kind=UnitKind.COMMUNITY, parent=world.township, code="110105026001")
    address_index_reset()
    return world


@pytest.mark.django_db
def test_full_names_resolve_all_three_levels(index: World) -> None:
    resolved = address_resolve("北京市朝阳区望京街道望京西园社区3号楼")
    assert resolved.district == index.district
    assert resolved.township == index.township
    assert resolved.community is not None and resolved.community.name == "望京西园社区居委会"


@pytest.mark.django_db
def test_a_township_alone_implies_its_district(index: World) -> None:
    resolved = address_resolve("学院路街道某小区")
    assert resolved.township == index.other_township
    assert resolved.district == index.other_district


@pytest.mark.django_db
def test_short_aliases_need_the_district_and_roads_do_not_match(index: World) -> None:
    assert address_resolve("朝阳区望京西路100号").township == index.township  # alias inside its district
    assert address_resolve("将台路5号").township is None  # alias without a district is not trusted


@pytest.mark.django_db
def test_unknown_places_resolve_to_nothing(index: World) -> None:
    assert address_resolve("上海市浦东新区") == address_resolve("")
