"""Community/Marketplace search: server-side filters, bounded pages, tokens that continue correctly.

moto ignores MaxResults (one oversized page); the Stubber tests play a server that honours it, as AWS does.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ec2tui.aws import image_search as search
from ec2tui.aws.image_search import OversizedAnswers, community_page, marketplace_page
from ec2tui.aws.models.images import CommunityQuery
from ec2tui.errors import ValidationError
from tests.test_images_helpers import COMMUNITY_OWNER, STRANGER, RequestLog, filters_of, foreign_image

REGION = "us-east-1"


@pytest.fixture
def tools(ec2):
    """13 public community images named tool-NN, plus decoys the search must not return."""
    ids = [foreign_image(REGION, f"tool-{n:02d}", owner=COMMUNITY_OWNER, public=True) for n in range(13)]
    foreign_image(REGION, "tool-amazon", owner="137112412989", alias="amazon", public=True)
    foreign_image(REGION, "tool-private", owner=STRANGER)
    return ids


@pytest.fixture
def requests(ec2):
    log = RequestLog(ec2, "DescribeImages")
    yield log
    log.close()


def _all_pages(ec2, query, page_size):
    pages = [community_page(ec2, query, page_size=page_size)]
    while pages[-1].next_token:
        pages.append(community_page(ec2, query, pages[-1].next_token, page_size))
        assert len(pages) < 50, "paging does not end"
    return pages


def test_pages_are_bounded_when_the_server_ignores_max_results(ec2, tools, requests):
    pages = _all_pages(ec2, CommunityQuery(text="tool"), page_size=6)
    names = [i.name for page in pages for i in page.images]
    assert [len(page.images) for page in pages] == [6, 6, 1]
    assert sorted(names) == [f"tool-{n:02d}" for n in range(13)]  # each exactly once; decoys left out
    for call in requests.calls:
        assert call["MaxResults"] == 6 and "NextToken" not in call  # moto never gave a token to pass on
        filters = filters_of(call)
        assert filters["is-public"] == ["true"] and filters["state"] == ["available"]
        assert "Owners" not in call and "ExecutableUsers" not in call
    name_calls = [c for c in requests.calls if "name" in filters_of(c)]
    assert name_calls and filters_of(name_calls[0])["name"] == ["*tool*", "*TOOL*", "*Tool*"]
    # after the name phase, one description request: the "name OR description" half EC2 cannot AND
    assert "description" in filters_of(requests.calls[-1])


def test_text_matches_name_or_description_without_duplicates(ec2, tools):
    by_description = foreign_image(
        REGION, "runner-2026", owner=COMMUNITY_OWNER, public=True, description="CI tool with Docker"
    )
    both = foreign_image(REGION, "tool-runner", owner=COMMUNITY_OWNER, public=True, description="a tool")
    ids = [i.id for page in _all_pages(ec2, CommunityQuery(text="tool"), 6) for i in page.images]
    assert by_description in ids and both in ids
    assert len(ids) == len(set(ids)) == 15


def test_filters_are_sent_to_the_server(ec2, tools, requests):
    arm = foreign_image(REGION, "tool-arm", owner=COMMUNITY_OWNER, public=True, architecture="arm64")
    win = foreign_image(REGION, "tool-win", owner=COMMUNITY_OWNER, public=True, windows=True)
    other_owner = foreign_image(REGION, "tool-x", owner="345678901234", public=True)

    page = community_page(ec2, CommunityQuery(text="tool", architecture="arm64"))
    assert [i.id for i in page.images] == [arm]
    assert filters_of(requests.calls[-1])["architecture"] == ["arm64"]

    page = community_page(ec2, CommunityQuery(text="tool", platform="windows"))
    assert [i.id for i in page.images] == [win]
    assert filters_of(requests.calls[-1])["platform"] == ["windows"]

    page = community_page(ec2, CommunityQuery(text="tool", platform="linux"), page_size=100)
    assert win not in {i.id for i in page.images} and arm in {i.id for i in page.images}
    assert "platform" not in filters_of(requests.calls[-1])  # EC2 has no "not windows": checked locally

    requests.calls.clear()
    page = community_page(ec2, CommunityQuery(text="tool", owner="345678901234"))
    assert [i.id for i in page.images] == [other_owner]
    assert requests.calls[0]["Owners"] == ["345678901234"]

    page = community_page(ec2, CommunityQuery(owner="some-alias"))
    assert page.images == ()
    assert filters_of(requests.calls[-1])["owner-alias"] == ["some-alias"]


def test_marketplace_asks_for_the_marketplace_owner(ec2, requests):
    foreign_image(REGION, "bitnami-nginx", owner="679593333241", alias="aws-marketplace", public=True)
    page = marketplace_page(ec2, CommunityQuery(text="nginx"))
    assert [i.name for i in page.images] == ["bitnami-nginx"]
    assert requests.calls[0]["Owners"] == ["aws-marketplace"] and requests.calls[0]["MaxResults"] == 50


def _raw(image_id: str, name: str, alias: str | None = None) -> dict:
    raw = {"ImageId": image_id, "Name": name, "OwnerId": COMMUNITY_OWNER, "Public": True, "State": "available"}
    if alias:
        raw["ImageOwnerAlias"] = alias
    return raw


def test_true_server_paging_passes_tokens_through():
    ec2 = boto3.client("ec2", region_name=REGION)
    common = [{"Name": "is-public", "Values": ["true"]}, {"Name": "state", "Values": ["available"]}]
    first = [_raw(f"ami-{n:017x}", f"img-{n}") for n in range(6)]
    second = [_raw(f"ami-{n:017x}", f"img-{n}") for n in range(6, 9)]
    with Stubber(ec2) as stub:
        stub.add_response(
            "describe_images", {"Images": first, "NextToken": "srv-2"}, {"Filters": common, "MaxResults": 6}
        )
        stub.add_response(
            "describe_images", {"Images": second}, {"Filters": common, "MaxResults": 6, "NextToken": "srv-2"}
        )
        page1 = community_page(ec2, page_size=6)
        page2 = community_page(ec2, next_token=page1.next_token, page_size=6)
        stub.assert_no_pending_responses()
    assert [i.name for i in page1.images] == [f"img-{n}" for n in range(6)] and page1.next_token
    assert [i.name for i in page2.images] == ["img-6", "img-7", "img-8"] and page2.next_token is None


def test_an_oversized_answer_is_kept_so_later_pages_ask_nothing(ec2, tools, requests):
    answers = OversizedAnswers()
    first = community_page(ec2, CommunityQuery(text="tool"), page_size=6, answers=answers)
    assert len(requests.calls) == 1 and len(answers) == 1, "moto sent all 13 matches for MaxResults=6: kept"
    second = community_page(ec2, CommunityQuery(text="tool"), first.next_token, 6, answers)
    assert len(requests.calls) == 1, "the second page is a slice of the kept answer"
    assert {i.name for i in first.images} | {i.name for i in second.images} == {f"tool-{n:02d}" for n in range(12)}
    answers.clear()
    community_page(ec2, CommunityQuery(text="tool"), first.next_token, 6, answers)
    assert len(requests.calls) == 2


def test_answers_from_a_server_that_pages_are_not_kept():
    ec2 = boto3.client("ec2", region_name=REGION)
    answers = OversizedAnswers()
    with Stubber(ec2) as stub:
        stub.add_response("describe_images", {"Images": [_raw(f"ami-{n:017x}", f"img-{n}") for n in range(6)]})
        community_page(ec2, page_size=6, answers=answers)
    assert len(answers) == 0


def test_kept_answers_expire_and_the_oldest_goes_first():
    now = [0.0]
    answers = OversizedAnswers(ttl=10, size=2, clock=lambda: now[0])
    answers.put(("a",), [{"ImageId": "ami-a"}])
    answers.put(("b",), [{"ImageId": "ami-b"}])
    assert list(answers.get(("a",))) == [{"ImageId": "ami-a"}]  # "a" is now the most recently used
    answers.put(("c",), [])
    assert answers.get(("b",)) is None and answers.get(("a",)) is not None and list(answers.get(("c",))) == []
    now[0] = 11
    assert answers.get(("a",)) is None and len(answers) == 1


def test_a_page_of_only_amazon_images_moves_on_to_the_next_server_page():
    ec2 = boto3.client("ec2", region_name=REGION)
    amazon = [_raw(f"ami-{n:017x}", f"amzn-{n}", alias="amazon") for n in range(6)]
    community = [_raw("ami-000000000000000aa", "nixos")]
    with Stubber(ec2) as stub:
        stub.add_response("describe_images", {"Images": amazon, "NextToken": "srv-2"})
        stub.add_response("describe_images", {"Images": community})
        page = community_page(ec2, page_size=6)
        stub.assert_no_pending_responses()
    assert [i.name for i in page.images] == ["nixos"] and page.next_token is None


def test_requests_per_call_are_capped():
    ec2 = boto3.client("ec2", region_name=REGION)
    with Stubber(ec2) as stub:
        for n in range(search.MAX_REQUESTS_PER_PAGE):
            stub.add_response(
                "describe_images", {"Images": [_raw(f"ami-{n:017x}", "amzn", alias="amazon")], "NextToken": f"t{n}"}
            )
        page = community_page(ec2, page_size=6)
        stub.assert_no_pending_responses()
    assert page.images == () and page.next_token  # empty, but the caller may go on


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (CommunityQuery(architecture="sparc"), "architecture"),
        (CommunityQuery(platform="beos"), "platform"),
        (CommunityQuery(owner="amazon"), "owner"),
        (CommunityQuery(owner="aws-marketplace"), "owner"),
        (CommunityQuery(text="x" * 200), "text"),
    ],
)
def test_bad_queries_are_validation_errors(ec2, query, field):
    with pytest.raises(ValidationError) as info:
        community_page(ec2, query)
    assert info.value.field == field


def test_bad_tokens_and_page_sizes(ec2, tools):
    page = community_page(ec2, CommunityQuery(text="tool"), page_size=6)
    with pytest.raises(ValidationError, match="another search"):
        community_page(ec2, CommunityQuery(text="other"), page.next_token, 6)
    with pytest.raises(ValidationError, match="damaged"):
        community_page(ec2, CommunityQuery(text="tool"), "not-a-token", 6)
    with pytest.raises(ValidationError) as info:
        community_page(ec2, page_size=5)
    assert info.value.field == "page_size"
    with pytest.raises(ValidationError) as info:
        marketplace_page(ec2, CommunityQuery(owner="123456789012"))
    assert info.value.field == "owner"


def test_description_phase_fills_a_page_and_only_refetches_tokenless_pages():
    ec2 = boto3.client("ec2", region_name=REGION)
    common = [{"Name": "is-public", "Values": ["true"]}, {"Name": "state", "Values": ["available"]}]
    by_name = {"Name": "name", "Values": ["*db*", "*DB*", "*Db*"]}
    by_description = {"Name": "description", "Values": ["*db*", "*DB*", "*Db*"]}
    named = [_raw(f"ami-{n:017x}", f"db-{n}") for n in range(4)]
    described = [_raw(f"ami-{n:017x}", f"store-{n}") for n in range(10, 16)]
    last = [_raw("ami-000000000000000ff", "store-last")]
    with Stubber(ec2) as stub:
        stub.add_response("describe_images", {"Images": named}, {"Filters": [*common, by_name], "MaxResults": 6})
        first_description_page = {"Filters": [*common, by_description], "MaxResults": 6}
        stub.add_response("describe_images", {"Images": described, "NextToken": "d2"}, first_description_page)
        stub.add_response("describe_images", {"Images": described, "NextToken": "d2"}, first_description_page)
        stub.add_response(
            "describe_images",
            {"Images": last},
            {"Filters": [*common, by_description], "MaxResults": 6, "NextToken": "d2"},
        )
        query = CommunityQuery(text="db")
        page1 = community_page(ec2, query, page_size=6)
        page2 = community_page(ec2, query, page1.next_token, 6)
        page3 = community_page(ec2, query, page2.next_token, 6)
        stub.assert_no_pending_responses()
    assert [i.name for i in page1.images] == ["db-0", "db-1", "db-2", "db-3", "store-10", "store-11"]
    assert [i.name for i in page2.images] == ["store-12", "store-13", "store-14", "store-15"]
    assert [i.name for i in page3.images] == ["store-last"] and page3.next_token is None
