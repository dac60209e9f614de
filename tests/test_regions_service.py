from ec2tui.aws import regions as svc


def test_list_regions_has_opt_in_status(ec2):
    regions = svc.list_regions(ec2)
    names = [r.name for r in regions]
    assert "us-east-1" in names and names == sorted(names)
    statuses = {r.opt_in_status for r in regions}
    assert "not-opted-in" in statuses and "opt-in-not-required" in statuses
    assert next(r for r in regions if r.name == "us-east-1").enabled


def test_count_instances_excludes_terminated(ec2):
    ids = [
        i["InstanceId"]
        for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3, InstanceType="t3.micro")["Instances"]
    ]
    ec2.terminate_instances(InstanceIds=ids[:1])
    ec2.stop_instances(InstanceIds=ids[1:2])
    counts = svc.count_instances(ec2)
    assert counts.total == 2
    assert counts.running == 1
