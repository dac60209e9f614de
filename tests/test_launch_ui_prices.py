"""Prices in the launch form, from the demo's Price List sample: the type picker's columns and its order by price,
the chosen type's price, the review's estimate (arithmetic checked by hand), and "—" with one hint when the
identity may not read the Price List."""

from __future__ import annotations

from ec2tui.launch.review import LaunchReviewScreen
from ec2tui.launch.sections.instance_type import TypeSection
from ec2tui.screens.instance_type_picker import InstanceTypePicker
from tests.launch_ui_helpers import open_form
from tests.price_list_fixtures import serve_prices, spot_price
from tests.ui_helpers import record_notifications, settle, static_text, table_rows, until

pytest_plugins = ["tests.launch_ui_fixtures"]  # launch_env, launch_app


def type_price_text(form) -> str:
    return str(form.query_one("#type-price").render())


async def test_picker_shows_prices_and_orders_by_them(launch_app, gateway):
    serve_prices(gateway)
    async with launch_app.run_test(size=(160, 45)) as pilot:
        form = await open_form(pilot)
        await until(pilot, lambda: form.state.types is not None and form.state.facts is not None, "types and AMI")
        form.action_pick_type()
        await until(pilot, lambda: isinstance(pilot.app.screen, InstanceTypePicker), "the picker")
        picker = pilot.app.screen
        await until(pilot, lambda: picker.prices is not None, "the picker's prices")
        rows = {row[0]: row for row in table_rows(pilot.app, "#itp-table")}
        # t3.micro: $0.0104 an hour in the sample (Linux, us-east-1); 730 h a month; Spot: zone a's 0.31 of it
        spot = spot_price("us-east-1", "Linux/UNIX", "t3.micro", "us-east-1a")
        assert rows["t3.micro"][-3:] == ["$0.0104", "$7.59", f"${spot:.4f}"]
        assert rows["t3.2xlarge"][-3] == "—"  # not in the sample: unknown, not an error
        assert "On-Demand Linux/UNIX" in static_text(pilot.app, "#itp-prices")

        await pilot.press("ctrl+o")
        await settle(pilot)
        ordered = table_rows(pilot.app, "#itp-table")
        priced = [float(row[-3].lstrip("$")) for row in ordered if row[-3] != "—"]
        assert priced == sorted(priced) and len(priced) >= 5
        assert ordered[0][0] == "t3.nano"  # $0.0052, the sample's cheapest x86_64 type
        first_unpriced = next(i for i, row in enumerate(ordered) if row[-3] == "—")
        assert all(row[-3] == "—" for row in ordered[first_unpriced:])  # unknown prices last
        assert picker.highlighted_name() == "t3.micro"  # the cursor stays on the form's type, now second
        await pilot.press("up", "enter")  # picks the cheapest
        await settle(pilot)
        assert form.request.instance_type == "t3.nano"
        await until(pilot, lambda: "$0.0052/h" in type_price_text(form), "the form's price of t3.nano")
        assert "$3.80/month" in type_price_text(form)  # 0.0052 x 730 = 3.796


async def test_review_estimates_the_cost_with_ebs_above_the_free_baseline(launch_app, gateway):
    serve_prices(gateway)
    async with launch_app.run_test(size=(160, 60)) as pilot:
        form = await open_form(pilot)
        await until(pilot, lambda: form.state.facts is not None and form.request.instance_type, "AMI and type")
        type_section = form.section(TypeSection)
        type_section.set_type("t3.micro")
        root = form.request.root_volume
        root.volume_type, root.size_gib, root.iops, root.throughput = "gp3", 20, 4000, 250
        form.request.min_count = form.request.max_count = 2
        await until(pilot, lambda: "$0.0104/h" in type_price_text(form), "the form's price")
        await pilot.press("ctrl+s")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, LaunchReviewScreen)
        await until(pilot, lambda: "Total" in static_text(pilot.app, "#review-cost"), "the estimate")
        cost = static_text(pilot.app, "#review-cost")
        # 2 x $0.0104 x 730 = 15.184; per instance: 20 GB x $0.08 = 1.60, 1,000 IOPS above 3,000 x $0.005 = 5.00,
        # 125 MiB/s above 125 x $40.96/1024 = 5.00: x2 = 23.20. Total 38.384 a month, 0.05258 an hour.
        assert "2 instances x $0.0104/h: $15.18/month" in cost
        assert "gp3 20 GB: $3.20/month" in cost
        assert "gp3 IOPS above 3,000: 1,000: $10.00/month" in cost
        assert "gp3 throughput above 125 MiB/s: 125: $10.00/month" in cost
        assert "Total: $38.38/month ($0.0526/h)" in cost
        assert "Assumes: On-Demand Linux/UNIX in us-east-1" in cost


async def test_without_the_permission_prices_are_a_dash_and_one_hint(launch_app, gateway):
    calls = serve_prices(gateway, denied=True)
    async with launch_app.run_test(size=(160, 60)) as pilot:
        sent = record_notifications(pilot.app)
        form = await open_form(pilot)
        await until(pilot, lambda: form.state.facts is not None and form.request.instance_type, "AMI and type")
        await until(pilot, lambda: "pricing:GetProducts" in type_price_text(form), "the hint")
        assert "On-Demand Linux/UNIX: —/h" in type_price_text(form)
        form.action_pick_type()  # the picker: every price "—", the hint once, no error
        await until(pilot, lambda: isinstance(pilot.app.screen, InstanceTypePicker), "the picker")
        picker = pilot.app.screen
        await until(pilot, lambda: picker.prices is not None, "the picker's prices")
        assert {row[-3] for row in table_rows(pilot.app, "#itp-table")} == {"—"}
        assert "lacks pricing:GetProducts" in static_text(pilot.app, "#itp-prices")
        await pilot.press("escape")
        await settle(pilot)
        asked = len(calls)  # the loads out together when the first refusal came back
        await pilot.press("ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: "Total" in static_text(pilot.app, "#review-cost"), "the estimate")
        cost = static_text(pilot.app, "#review-cost")
        assert "Total, without instance price" in cost and "lacks pricing:GetProducts" in cost
        assert not [n for n in sent if "pricing" in n.lower() or "denied" in n.lower()]  # no error popup
        assert len(calls) == asked  # refused, then not asked again for a while
