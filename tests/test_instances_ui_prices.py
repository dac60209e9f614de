"""The instances list's "$/h" column and the running fleet total in its title, from the demo's Price List sample."""

from __future__ import annotations

from tests.instances_ui_helpers import open_instances, rows_by_name
from tests.price_list_fixtures import serve_prices
from tests.ui_helpers import settle, static_text, until

pytest_plugins = ["tests.instances_ui_fixtures"]  # fleet, app


async def test_dollar_shows_each_price_and_the_running_total(app, fleet, gateway):
    calls = serve_prices(gateway)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_instances(pilot)
        assert "$/h" not in static_text(app, "#title") and calls == []  # hidden by default: nothing asked
        await pilot.press("dollar_sign")
        # web-1 t3.medium $0.0416 + web-2 t3.micro $0.0104 running; db (r6i.large) is stopped: not in the total
        await until(pilot, lambda: "$0.0520/h for 2 running" in static_text(app, "#title"), "the fleet total")
        rows = rows_by_name(app)
        assert rows["web-1"][-1] == "$0.0416" and rows["web-2"][-1] == "$0.0104"
        assert rows["db"][-1] == "$0.1260"  # its price shows; only the total leaves stopped ones out

        app.screen.query_one("#filter").display = True
        app.screen.query_one("#filter").value = "web-2"  # the total follows what is listed
        await until(pilot, lambda: "$0.0104/h for 1 running" in static_text(app, "#title"), "the filtered total")

        await pilot.press("escape", "dollar_sign")
        await settle(pilot)
        assert "running" not in static_text(app, "#title")
        assert len(rows_by_name(app)["web-1"]) == len(rows["web-1"]) - 1


async def test_without_the_permission_the_column_says_dash_and_why(app, fleet, gateway):
    serve_prices(gateway, denied=True)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_instances(pilot)
        await pilot.press("dollar_sign")
        await until(pilot, lambda: "lacks pricing:GetProducts" in static_text(app, "#title"), "the hint")
        assert "—/h for 2 running" in static_text(app, "#title")
        assert rows_by_name(app)["web-1"][-1] == "—"
