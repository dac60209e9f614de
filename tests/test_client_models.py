"""Our sessions read botocore's data lean: plain dicts, and service models without their documentation."""

from __future__ import annotations

import gzip
import json
import os

import boto3
import botocore
import botocore.loaders

from ec2tui.aws.clients import (
    AwsTarget,
    ClientFactory,
    LeanJsonFileLoader,
    new_session,
    shared_loader,
)


def loader_of(session: boto3.Session) -> botocore.loaders.Loader:
    return session._session.get_component("data_loader")  # type: ignore[attr-defined]


def test_service_models_are_plain_dicts_without_documentation():
    model = loader_of(new_session()).load_service_model("ec2", "service-2")
    assert type(model) is dict and type(model["shapes"]["Instance"]) is dict, "OrderedDicts take half as much again"
    operation = model["operations"]["DescribeInstances"]
    assert "documentation" not in operation and "documentationUrl" not in model["operations"]["RunInstances"]
    assert not any("documentation" in shape for shape in model["shapes"].values())
    members = model["shapes"]["Instance"]["members"]
    assert not any("documentation" in member for member in members.values())
    assert "documentation" not in model


def without_text_under_documentation_keys(data):
    """Documentation is text under a "documentation" key (a member named so holds a dict), wherever it is."""
    if isinstance(data, dict):
        return {
            key: without_text_under_documentation_keys(value)
            for key, value in data.items()
            if not (key in ("documentation", "documentationUrl") and isinstance(value, str))
        }
    if isinstance(data, list):
        return [without_text_under_documentation_keys(value) for value in data]
    return data


def test_only_the_documentation_is_left_out():
    """EC2's model as botocore reads it equals ours once its documentation is dropped (nothing else is lost)."""
    path = os.path.join(os.path.dirname(botocore.__file__), "data", "ec2", "2016-11-15", "service-2")
    theirs = botocore.loaders.JSONFileLoader().load_file(path)
    assert theirs["operations"]["DescribeInstances"]["documentation"], "botocore's own reader keeps it"
    ours = LeanJsonFileLoader().load_file(path)
    assert ours == without_text_under_documentation_keys(theirs)


def test_a_member_named_documentation_stays_and_other_files_are_read_whole(tmp_path):
    model = {
        "version": "2.0",
        "metadata": {"apiVersion": "2020-01-01", "protocol": "json", "serviceId": "Notes", "endpointPrefix": "n"},
        "documentation": "<p>The service.</p>",
        "operations": {
            "Put": {"name": "Put", "input": {"shape": "Note", "documentation": "in"}, "documentation": "<p>Put</p>"}
        },
        "shapes": {
            "Note": {
                "type": "structure",
                "members": {"documentation": {"shape": "Text", "documentation": "the note's text"}},
                "documentation": "<p>A note.</p>",
            },
            "Text": {"type": "string"},
        },
    }
    folder = tmp_path / "notes" / "2020-01-01"
    folder.mkdir(parents=True)
    (folder / "service-2.json.gz").write_bytes(gzip.compress(json.dumps(model).encode()))
    (folder / "paginators-1.json").write_text(json.dumps({"pagination": {}, "documentation": "kept"}))
    loader = shared_loader(str(tmp_path))
    loaded = loader.load_service_model("notes", "service-2")
    assert loaded["shapes"]["Note"] == {"type": "structure", "members": {"documentation": {"shape": "Text"}}}
    assert loaded["operations"]["Put"] == {"name": "Put", "input": {"shape": "Note"}}
    assert "documentation" not in loaded
    assert loader.load_service_model("notes", "paginators-1")["documentation"] == "kept", "only service models"


def test_clients_of_a_lean_session_still_work(aws):
    factory = ClientFactory(AwsTarget(region="us-east-1"), new_session(region_name="us-east-1"))
    ec2 = factory.ec2("eu-west-1")
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)
    pages = list(ec2.get_paginator("describe_instances").paginate())
    assert sum(len(r["Instances"]) for page in pages for r in page["Reservations"]) == 2
    ec2.get_waiter("instance_running")  # waiters and paginators come from the same loader
    assert factory.client("sts", "us-east-1").get_caller_identity()["Account"]
    assert ec2.meta.service_model.operation_model("DescribeInstances").documentation == ""
