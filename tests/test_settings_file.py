"""The settings file: precedence (file < environment < flag), one-line errors naming the key, `ec2tui config`,
`ec2tui keys`, the theme remembered, favourite regions first, and the folders it all lives in."""

from __future__ import annotations

import argparse

import pytest
from textual.app import App

from ec2tui import cli, drafts, paths, settings
from ec2tui.errors import ValidationError
from ec2tui.settings_command import apply_settings

GOOD = """\
# my defaults
profile = "ops"
region = "eu-west-1"
theme = "nord"
cache_ttl = 30
read_only = true
favourite_regions = ["ap-southeast-2", "eu-west-1"]

[columns]
instances = ["name", "id", "public_ip"]

[ssh_keys]
"ops-2026" = "~/keys/ops.pem"

[keymap]
"app.help" = "f1,question_mark"
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    """An empty config folder of the test's own; every override variable cleared."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("EC2TUI_CONFIG_DIR", str(folder))
    for name in ("EC2TUI_SETTINGS", "EC2TUI_THEME", "EC2TUI_CACHE_TTL", "EC2TUI_READ_ONLY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    yield folder
    settings.use(settings.Settings())


def write(folder, text: str):
    path = folder / "settings.toml"
    path.write_text(text)
    return path


def test_the_file_sets_every_default(config):
    path = write(config, GOOD)
    got = settings.resolve_settings(environ={})
    assert (got.profile, got.region, got.theme, got.cache_ttl, got.read_only) == ("ops", "eu-west-1", "nord", 30, True)
    assert got.favourite_regions == ("ap-southeast-2", "eu-west-1")
    assert got.columns_for("instances", ["id", "name", "state", "public_ip"]) == ["name", "id", "public_ip"]
    assert got.columns_for("amis", ["id"]) is None
    assert got.source("region") == str(path) and got.path == path
    assert settings.load_ssh_keys() == {"ops-2026": "~/keys/ops.pem"}
    assert settings.load_keymap() == {"app.help": "f1,question_mark"}


def test_environment_beats_the_file_and_flags_beat_both(config):
    write(config, GOOD)
    environ = {"AWS_REGION": "us-west-2", "EC2TUI_CACHE_TTL": "5", "EC2TUI_READ_ONLY": "no", "AWS_PROFILE": "dev"}
    got = settings.resolve_settings(environ=environ)
    assert (got.region, got.cache_ttl, got.read_only, got.profile) == ("us-west-2", 5, False, "dev")
    assert got.source("region") == "$AWS_REGION" and got.source("read_only") == "$EC2TUI_READ_ONLY"
    got = settings.resolve_settings({"region": "ca-central-1", "read_only": True}, environ=environ)
    assert (got.region, got.source("region")) == ("ca-central-1", "--region")
    assert (got.read_only, got.source("read_only")) == (True, "--read-only")
    assert got.source("theme").endswith("settings.toml")


def test_no_file_means_defaults(config):
    got = settings.resolve_settings(environ={})
    assert got == settings.Settings(path=config / "settings.toml")
    assert got.cache_ttl == settings.DEFAULT_CACHE_TTL and got.source("cache_ttl") == "default"


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ('cache_ttl = "soon"', "cache_ttl", "must be a number of seconds"),
        ("cache_ttl = -1", "cache_ttl", "must be a number of seconds"),
        ('read_only = "maybe"', "read_only", "must be true or false"),
        ('region = "Europe"', "region", "must be a region name"),
        ('favourite_regions = ["eu-west-1", 3]', "favourite_regions", "must be a non-empty string"),
        ('profile = ""', "profile", "must be a non-empty string"),
        ("colour = 1", "colour", "unknown setting 'colour'"),
        ('[columns]\ninstances = "name"', "columns.instances", "non-empty list of column keys"),
        ("[ssh_keys]\nops = 1", "ssh_keys", "table of names to strings"),
        ("region = ", "settings", "not valid TOML"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(config, text, key, says):
    path = write(config, text)
    with pytest.raises(ValidationError) as caught:
        settings.resolve_settings(environ={})
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and says in message
    assert caught.value.field == key or key in message


def test_a_bad_environment_value_names_the_variable(config):
    with pytest.raises(ValidationError, match=r"\$EC2TUI_READ_ONLY: read_only must be true or false"):
        settings.resolve_settings(environ={"EC2TUI_READ_ONLY": "perhaps"})


def test_the_command_line_stops_with_one_line_on_a_bad_value(config, capsys):
    write(config, 'cache_ttl = "soon"\n')
    assert cli.main(["--demo"]) == 2  # before any demo server or UI starts
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cache_ttl must be a number" in err and "Traceback" not in err


def namespace(**given: object) -> argparse.Namespace:
    defaults: dict[str, object] = {"profile": None, "region": None, "theme": None, "read_only": False, "demo": False}
    return argparse.Namespace(**(defaults | given))


def test_apply_fills_only_the_flags_left_unset(config, monkeypatch):
    write(config, GOOD)
    args = namespace(region="us-east-2")
    apply_settings(args)
    assert (args.profile, args.region, args.theme, args.read_only, args.cache_ttl) == (
        "ops",
        "us-east-2",
        "nord",
        True,
        30,
    )
    assert settings.current().favourite_regions == ("ap-southeast-2", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "us-west-1")  # the environment's region: left to botocore, as before
    args = namespace()
    apply_settings(args)
    assert args.region is None
    args = namespace(demo=True)  # the demo's data lives in its own regions
    apply_settings(args)
    assert args.region is None and args.profile is None


def test_ec2tui_config_says_where_each_value_came_from(config, monkeypatch, capsys):
    write(config, GOOD)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert cli.main(["config", "--theme", "textual-light"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line[:1].isalpha()}
    assert "us-west-2" in lines["region"] and "[$AWS_REGION]" in lines["region"]
    assert "textual-light" in lines["theme"] and "[--theme]" in lines["theme"]
    assert "30 s" in lines["cache_ttl"] and "[settings file]" in lines["cache_ttl"]
    assert "[default]" not in lines["profile"] and "ops" in lines["profile"]
    assert str(config / "settings.toml") in lines["Settings"]


def test_ec2tui_config_on_a_bad_file_is_one_line_and_exit_2(config, capsys):
    write(config, "read_only = 3\n")
    assert cli.main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read_only must be true or false" in err


def test_ec2tui_keys_lists_every_binding_id_with_the_remapped_keys(config, capsys):
    write(config, '[keymap]\n"app.help" = "f1,question_mark"\n"no.such" = "x"\n')
    assert cli.main(["keys"]) == 0
    out, err = capsys.readouterr()
    header, *lines = out.splitlines()
    said, keys = header.index("what it does"), header.index("default keys")

    def columns(line: str) -> list[str]:
        return [line[:said].strip(), line[said:keys].strip(), *line[keys:].split()]

    rows = {columns(line)[0]: columns(line)[1:] for line in lines}
    assert rows["app.help"] == ["Help", "question_mark", "f1,question_mark"]
    assert rows["app.prompt"][1:] == ["colon"] and rows["app.prompt"][0]
    assert rows["launch.review"][0] == "Review launch"  # the launch form's bindings too, with what they do
    assert all(row[0] for row in rows.values()), "every binding says what it does"
    assert '"no.such"' in err and "unknown binding id" in err


def test_save_theme_keeps_the_rest_of_the_file(config):
    path = write(config, GOOD)
    settings.save_theme("gruvbox")
    text = path.read_text()
    assert 'theme = "gruvbox"' in text and "nord" not in text and "# my defaults" in text
    assert settings.load_settings_file().theme == "gruvbox"
    assert settings.load_settings_file().ssh_keys == {"ops-2026": "~/keys/ops.pem"}
    path.write_text('[keymap]\n"app.help" = "f1"\n')  # no top-level theme yet: it goes above the tables
    settings.save_theme("nord")
    assert settings.load_settings_file().theme == "nord" and settings.load_settings_file().keymap


class ThemedApp(App[None]):
    def on_mount(self) -> None:
        settings.remember_theme(self)


async def test_the_theme_chosen_in_the_app_is_remembered(config):
    app = ThemedApp()
    app.theme = "textual-light"  # set at start (--theme): not written back
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not (config / "settings.toml").exists()
        app.theme = "nord"  # what ctrl+p → theme does
        await pilot.pause()
        await pilot.pause()
    assert settings.load_settings_file().theme == "nord"


def test_favourites_first_keeps_the_rest_in_order():
    names = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
    assert settings.favourites_first(names, ["eu-west-1", "sa-east-1", "us-west-2"]) == [
        "eu-west-1",
        "us-west-2",
        "us-east-1",
        "ap-southeast-2",
    ]


async def test_the_regions_screen_lists_favourites_first(gateway, no_default_amis):
    from ec2tui.app import Ec2App
    from ec2tui.screens.regions import RegionsScreen
    from tests.ui_helpers import settle, table_rows

    settings.use(settings.Settings(favourite_regions=("eu-west-1", "ap-southeast-2")))
    try:
        app = Ec2App(gateway)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, RegionsScreen)
            names = [row[1] for row in table_rows(app)]
            assert names[:2] == ["eu-west-1", "ap-southeast-2"] and len(names) > 2
    finally:
        settings.use(settings.Settings())


def test_every_folder_comes_from_paths(config, monkeypatch, tmp_path):
    monkeypatch.setenv("EC2TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("EC2TUI_CACHE_DIR", str(tmp_path / "cache"))
    from ec2tui.gateway.price_cache import default_cache_dir

    assert drafts.state_dir() == paths.state_dir() == tmp_path / "state"
    assert default_cache_dir() == paths.cache_dir() == tmp_path / "cache"
    assert settings.keymap_path() == config / "keymap.toml" and settings.ssh_keys_path() == config / "ssh-keys.toml"
    assert paths.settings_path() == config / "settings.toml"
    monkeypatch.setenv("EC2TUI_SETTINGS", str(tmp_path / "other.toml"))
    assert paths.settings_path() == tmp_path / "other.toml"


async def test_the_columns_setting_chooses_and_orders_a_lists_columns(gateway, no_default_amis, ec2):
    from tests.instances_ui_helpers import InstancesFirstApp, open_instances, run
    from tests.ui_helpers import rendered_table, settle

    run("us-east-1", "web-1")
    settings.use(settings.Settings(columns={"instances": ("public_ip", "name", "id", "nonsense")}))
    try:
        app = InstancesFirstApp(gateway)
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_instances(pilot)
            await settle(pilot)
            header = rendered_table(app)[0].split()
            assert header == ["Public", "IP", "Name", "Instance", "ID"]  # the mark column (no heading) stays first
            assert [column.key for column, _ in screen.table.shown_columns()] == ["mark", "public_ip", "name", "id"]
            await pilot.press("space")  # marks still show
            await settle(pilot)
            assert rendered_table(app)[1].split()[0] == "●"
            await pilot.press("a")  # all regions: new columns, the setting still applies
            await settle(pilot)
            assert [column.key for column, _ in screen.table.shown_columns()] == ["mark", "public_ip", "name", "id"]
    finally:
        settings.use(settings.Settings())
    app = InstancesFirstApp(gateway)  # without the setting: every column
    async with app.run_test(size=(200, 30)) as pilot:
        screen = await open_instances(pilot)
        assert len(screen.table.shown_columns()) == len(screen.COLUMNS)


@pytest.fixture
def started(monkeypatch):
    """main() up to the UI: Ec2App.run records the app instead of taking over the terminal."""
    from ec2tui.app import Ec2App

    apps: list[Ec2App] = []
    monkeypatch.setattr(Ec2App, "run", lambda self, *args, **kwargs: apps.append(self))
    return apps


def test_main_takes_its_defaults_from_the_file_and_flags_still_win(config, started, aws, capsys):
    write(config, 'region = "eu-west-1"\ntheme = "nord"\nread_only = true\n')
    assert cli.main([]) == 0
    app = started[-1]
    assert (app.region, app.theme, app.read_only) == ("eu-west-1", "nord", True)
    assert cli.main(["--region", "us-west-2", "--theme", "textual-light"]) == 0
    app = started[-1]
    assert (app.region, app.theme) == ("us-west-2", "textual-light")
    assert capsys.readouterr().err == ""


def test_keymap_warnings_name_the_file_the_entry_came_from(config, started, aws, capsys):
    write(config, '[keymap]\n"app.nope" = "f2"\n"app.quit" = "ctrl+x"\n')
    (config / "keymap.toml").write_text('[keymap]\n"list.nope" = "f3"\n')
    assert cli.main([]) == 0
    err = capsys.readouterr().err
    assert f'{config / "settings.toml"}: keymap entry "app.nope"' in err
    assert f'{config / "keymap.toml"}: keymap entry "list.nope"' in err
    assert started[-1]._keymap == {"app.quit": "ctrl+x"}
