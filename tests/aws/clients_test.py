#!/usr/bin/python3
"""Real AWS clients against efsd's HTTP endpoint: Debian's aws cli and boto3, unchanged.

Starts an efsd (loopback backend, a temporary state directory) with --http-listen on a free
127.0.0.1 port, makes access keys with `efs create-access-key`, and drives the EFS API with
boto3 (paginators, errors as exceptions, the tag APIs old and new) and with `aws efs`, checking
that they see the objects `efs` sees. Then it sends what clients should not: unsigned, badly
signed and expired requests, a body over the limit, oversized headers, garbage, a slow client
and more connections than allowed, and checks each answer and that others are still served.

Ansible's community.aws.efs and efs_info run docs/ANSIBLE.md's playbook, and the file system it
makes is mounted with `efs mount` (FUSE).

Usage: clients_test.py BIN_DIR   (exit 0: every check held; run as root, for the mount)
"""
import contextlib
import datetime
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import uuid

import boto3
import botocore
import botocore.auth
import botocore.waiter
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from efsd_fixture import FAILURES, Efsd, check

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
REGION = "local-1"
def client(efsd, key):
    return boto3.client("efs", endpoint_url=efsd.url, region_name=REGION,
                        aws_access_key_id=key[0], aws_secret_access_key=key[1])


def error_of(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e
    return None, 200, None


# botocore (Debian's and upstream's) ships no waiters for EFS, so the file_system_available
# waiter is declared here in botocore's waiter language and run by botocore's own waiter engine,
# as SDKs that have one define it: DescribeFileSystems until the state is available, failing on
# deleted or error.
EFS_WAITERS = botocore.waiter.WaiterModel({"version": 2, "waiters": {"FileSystemAvailable": {
    "operation": "DescribeFileSystems", "delay": 0.1, "maxAttempts": 100,
    "acceptors": [
        {"matcher": "pathAll", "argument": "FileSystems[].LifeCycleState",
         "expected": "available", "state": "success"},
        {"matcher": "pathAny", "argument": "FileSystems[].LifeCycleState",
         "expected": "deleted", "state": "failure"},
        {"matcher": "pathAny", "argument": "FileSystems[].LifeCycleState",
         "expected": "error", "state": "failure"}]}}})


def wait_available(efs, fs_id):
    waiter = botocore.waiter.create_waiter_with_client("FileSystemAvailable", EFS_WAITERS, efs)
    try:
        waiter.wait(FileSystemId=fs_id)
        return True
    except botocore.exceptions.WaiterError as e:
        print("waiter:", e)
        return False


def boto3_flow(efsd, root, other):
    efs = client(efsd, root)
    prefix = uuid.uuid4().hex[:8]
    made = [efs.create_file_system(CreationToken=f"{prefix}-{i}",
                                   Tags=[{"Key": "Name", "Value": f"n{i}"}])
            for i in range(5)]
    check(all(m["LifeCycleState"] == "creating" and m["ResponseMetadata"]["HTTPStatusCode"] == 201
              for m in made), "boto3 CreateFileSystem answers 201, creating")
    pages = list(efs.get_paginator("describe_file_systems").paginate(
        PaginationConfig={"PageSize": 2}))
    ids = [fs["FileSystemId"] for p in pages for fs in p["FileSystems"]]
    check(len(pages) == 3 and sorted(ids) == sorted(m["FileSystemId"] for m in made),
          f"boto3's paginator walks DescribeFileSystems by Marker ({len(pages)} pages)")
    fs_id = made[0]["FileSystemId"]
    check(wait_available(efs, fs_id), "the file_system_available waiter (botocore's engine) returns")
    code, status, e = error_of(lambda: efs.create_file_system(CreationToken=f"{prefix}-0"))
    check(code == "FileSystemAlreadyExists" and status == 409 and
          e.response.get("FileSystemId") == fs_id,
          "a repeated CreationToken is FileSystemAlreadyExists (409) naming the file system")
    check(isinstance(e, efs.exceptions.FileSystemAlreadyExists),
          "boto3 raises its modeled exception class")
    code, status, _ = error_of(lambda: efs.describe_file_systems(FileSystemId="fs-0123456789abcdef0"))
    check((code, status) == ("FileSystemNotFound", 404), "an unknown id is FileSystemNotFound (404)")

    subnet = efsd.efs("describe-subnets")["Subnets"][0]["SubnetId"]
    mt = efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet)
    check(mt["MountTargetId"].startswith("fsmt-") and mt["SubnetId"] == subnet,
          "boto3 CreateMountTarget")
    mts = [m for p in efs.get_paginator("describe_mount_targets").paginate(FileSystemId=fs_id)
           for m in p["MountTargets"]]
    check([m["MountTargetId"] for m in mts] == [mt["MountTargetId"]],
          "DescribeMountTargets through the paginator")
    efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=[
        {"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}])
    got = efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"]
    check({"TransitionToIA": "AFTER_30_DAYS"} in got, "lifecycle configuration round trip")
    # The settings efsd has one honest value for: asked for another, it refuses and keeps it.
    check(efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "DISABLED"},
          "DescribeBackupPolicy: DISABLED")
    code, status, e = error_of(lambda: efs.put_backup_policy(
        FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"}))
    check((code, status) == ("BadRequest", 400) and "not implemented" in str(e),
          "PutBackupPolicy ENABLED is refused: efsd takes no backups")
    check(efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})
          ["BackupPolicy"]["Status"] == "DISABLED", "PutBackupPolicy DISABLED")
    prefs = efs.describe_account_preferences()["ResourceIdPreference"]
    check(prefs == {"ResourceIdType": "LONG_ID", "Resources": ["FILE_SYSTEM", "MOUNT_TARGET"]} and
          len(fs_id) == len("fs-") + 17, "DescribeAccountPreferences: LONG_ID, as the ids are")
    code, status, _ = error_of(lambda: efs.put_account_preferences(ResourceIdType="SHORT_ID"))
    check((code, status) == ("BadRequest", 400), "PutAccountPreferences SHORT_ID is refused")
    # Debian's botocore predates UpdateFileSystemProtection: sign it by hand.
    status, error = signed(efsd, root, "PUT", f"/2015-02-01/file-systems/{fs_id}/protection",
                           b'{"ReplicationOverwriteProtection":"ENABLED"}')
    check((status, error) == (200, None), "UpdateFileSystemProtection ENABLED")
    status, error = signed(efsd, root, "PUT", f"/2015-02-01/file-systems/{fs_id}/protection",
                           b'{"ReplicationOverwriteProtection":"DISABLED"}')
    check((status, error) == (400, "BadRequest"),
          "UpdateFileSystemProtection DISABLED is refused: nothing replicates")
    efs.tag_resource(ResourceId=made[0]["FileSystemArn"], Tags=[{"Key": "team", "Value": "a"}])
    efs.untag_resource(ResourceId=fs_id, TagKeys=["Name"])
    efs.create_tags(FileSystemId=fs_id, Tags=[{"Key": "old", "Value": "api"}])
    tags = {t["Key"]: t["Value"] for t in efs.list_tags_for_resource(ResourceId=fs_id)["Tags"]}
    check(tags == {"team": "a", "old": "api"}, f"TagResource by ARN, UntagResource, CreateTags: {tags}")
    efs.delete_tags(FileSystemId=fs_id, TagKeys=["old"])
    check([t["Key"] for t in efs.describe_tags(FileSystemId=fs_id)["Tags"]] == ["team"],
          "DeleteTags and DescribeTags")
    updated = efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    check(updated["ThroughputMode"] == "elastic" and
          updated["ResponseMetadata"]["HTTPStatusCode"] == 202, "UpdateFileSystem answers 202")
    code, status, _ = error_of(lambda: efs.delete_file_system(FileSystemId=fs_id))
    check((code, status) == ("FileSystemInUse", 409), "a file system with a mount target is in use")

    # The socket and `efs` see what the endpoint made.
    via_efs = efsd.efs("describe-fs", "--file-system-id", fs_id)["FileSystems"][0]
    via_http = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
    same = all(str(via_efs[k]) == str(via_http[k]) for k in
               ("FileSystemId", "CreationToken", "ThroughputMode", "NumberOfMountTargets",
                "PerformanceMode", "OwnerId", "FileSystemArn"))
    check(same, "efs describe-fs and boto3 return the same file system")

    # A key of another local user reads, and may not change anything.
    mine = client(efsd, other)
    check(len(mine.describe_file_systems()["FileSystems"]) == 5, "a non-root key describes")
    code, status, _ = error_of(lambda: mine.create_file_system(CreationToken="not-mine"))
    check((code, status) == ("AccessDenied", 403), "a non-root key may not create (AccessDenied)")

    efs.delete_mount_target(MountTargetId=mt["MountTargetId"])
    for _ in range(100):
        if not efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]:
            break
        time.sleep(0.1)
    for m in made:
        efs.delete_file_system(FileSystemId=m["FileSystemId"])
    return prefix


def aws_cli_flow(efsd, root):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=root[0], AWS_SECRET_ACCESS_KEY=root[1],
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")

    def aws(*args):
        out = subprocess.run(["/usr/bin/aws", "efs", *args, "--endpoint-url", efsd.url,
                              "--output", "json"], capture_output=True, text=True, env=env,
                             timeout=120)
        return out.returncode, (json.loads(out.stdout) if out.stdout.strip() else {}), out.stderr

    rc, made, err = aws("create-file-system", "--creation-token", "cli-" + uuid.uuid4().hex[:8],
                        "--performance-mode", "maxIO", "--tags", "Key=Name,Value=from-cli")
    check(rc == 0 and made.get("PerformanceMode") == "maxIO", f"aws efs create-file-system {err}")
    fs_id = made.get("FileSystemId", "")
    rc, listed, err = aws("describe-file-systems")
    via_efs = {f["FileSystemId"]: f for f in efsd.efs("describe-fs")["FileSystems"]}
    via_cli = {f["FileSystemId"]: f for f in listed.get("FileSystems", [])}
    check(rc == 0 and via_cli.keys() == via_efs.keys() and
          via_cli[fs_id]["Name"] == via_efs[fs_id]["Name"] == "from-cli",
          "aws efs describe-file-systems lists what efs describe-fs lists")
    rc, _, err = aws("describe-file-systems", "--file-system-id", "fs-0123456789abcdef0")
    check(rc != 0 and "FileSystemNotFound" in err, "the aws cli reports FileSystemNotFound")
    rc, _, err = aws("delete-file-system", "--file-system-id", fs_id)
    check(rc == 0, f"aws efs delete-file-system {err}")


def prometheus_flow(efsd, root):
    from prometheus_client.parser import text_string_to_metric_families
    efs = client(efsd, root)
    fs_id = efs.create_file_system(CreationToken="metrics-" + uuid.uuid4().hex[:8])["FileSystemId"]
    wait_available(efs, fs_id)

    def scrape(port=efsd.port, path=b"/metrics"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        return reply.partition(b"\r\n\r\n")[::2]
    for _ in range(100):  # efsd takes up a new file system's counters within a second or so
        head, body = scrape()
        if fs_id.encode() in body:
            break
        time.sleep(0.1)
    check(head.startswith(b"HTTP/1.1 200") and b"text/plain; version=0.0.4" in head,
          "GET /metrics, unsigned, answers the text exposition format")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    own_head, own_body = scrape(efsd.metrics_port)
    own = {f.name for f in text_string_to_metric_families(own_body.decode())}
    check(own_head.startswith(b"HTTP/1.1 200") and own == families.keys() and
          fs_id.encode() in own_body, "--metrics-listen serves the same metrics on its own port")
    other_head, _ = scrape(efsd.metrics_port, b"/2015-02-01/file-systems")
    check(other_head.startswith(b"HTTP/1.1 404"), "--metrics-listen serves nothing but /metrics")
    cli = subprocess.run([f"{BIN}/efs", "--socket", efsd.sock, "metrics", "--format",
                          "prometheus"], capture_output=True, text=True, timeout=30).stdout
    cli_families = {f.name for f in text_string_to_metric_families(cli)}
    check(families.keys() == cli_families and len(families) >= 10,
          f"prometheus_client parses {len(families)} families, those of efs metrics")
    storage = families.get("efs_storage_bytes")
    labelled = [s for f in families.values() for s in f.samples
                if s.labels.get("file_system_id") == fs_id]
    check(len(labelled) >= 10, f"{len(labelled)} samples are labelled with the new file system")
    check(storage is not None and any(s.labels.get("file_system_id") == fs_id and s.value > 0
                                      for s in storage.samples),
          "its storage bytes are there")
    efs.delete_file_system(FileSystemId=fs_id)


def ec2_flow(efsd, root):
    """EC2's Query API (XML) for VPCs, subnets and security groups, through boto3 and the cli."""
    ec2 = boto3.client("ec2", endpoint_url=efsd.url, region_name=REGION,
                       aws_access_key_id=root[0], aws_secret_access_key=root[1])
    vpcs = ec2.describe_vpcs()["Vpcs"]
    via_efs = efsd.efs("describe-vpcs")["Vpcs"]
    check(vpcs == via_efs, "boto3 describe_vpcs (EC2 XML) equals efs describe-vpcs")
    vpc = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                            {"Name": "availability-zone", "Values": ["local-1*"]}])
    check(subnets["Subnets"] == efsd.efs("describe-subnets")["Subnets"],
          "describe_subnets with filters (and a wildcard) equals efs describe-subnets")
    one = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["local-1b"]}])
    check([s["AvailabilityZone"] for s in one["Subnets"]] == ["local-1b"], "a filter narrows")
    by_id = ec2.describe_subnets(SubnetIds=[one["Subnets"][0]["SubnetId"]])["Subnets"]
    check(by_id == one["Subnets"], "SubnetId.N picks by id")
    groups = ec2.describe_security_groups(GroupNames=["default"],
                                          Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    rules = groups["SecurityGroups"][0]["IpPermissions"] if groups["SecurityGroups"] else []
    check(len(groups["SecurityGroups"]) == 1 and rules and rules[0]["FromPort"] == 2049 and
          groups["SecurityGroups"][0]["Description"] == "default VPC security group",
          "describe_security_groups by name, with its rules and description")
    code, status, _ = error_of(lambda: ec2.describe_subnets(SubnetIds=["subnet-0123456789abcdef0"]))
    check((code, status) == ("InvalidSubnetID.NotFound", 400), "an unknown subnet, as EC2 says it")
    code, status, _ = error_of(lambda: ec2.describe_subnets(Filters=[{"Name": "x", "Values": ["y"]}]))
    check((code, status) == ("InvalidParameterValue", 400), "an unknown filter")
    code, status, _ = error_of(lambda: ec2.describe_instances())
    check((code, status) == ("InvalidAction", 400), "an action efsd does not have is InvalidAction")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=root[0], AWS_SECRET_ACCESS_KEY=root[1],
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    out = subprocess.run(["/usr/bin/aws", "ec2", "describe-subnets", "--endpoint-url", efsd.url,
                          "--output", "json"], capture_output=True, text=True, env=env, timeout=120)
    check(out.returncode == 0 and len(json.loads(out.stdout)["Subnets"]) == 3,
          "aws ec2 describe-subnets")


def ansible_flow(efsd, root):
    """docs/ANSIBLE.md's playbook, as written there: present twice, a mount, absent twice."""
    import re
    doc = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/ANSIBLE.md")).read()
    playbook = os.path.join(efsd.dir, "efs.yml")
    with open(playbook, "w") as f:
        f.write(re.search(r"```yaml\n(.*?)```", doc, re.S).group(1))
    subnet = next(s["SubnetId"] for s in efsd.efs("describe-subnets")["Subnets"]
                  if s["AvailabilityZone"] == "local-1a" and s["DefaultForAz"])
    env = dict(os.environ, AWS_ACCESS_KEY_ID=root[0], AWS_SECRET_ACCESS_KEY=root[1],
               ANSIBLE_HOME=os.path.join(efsd.dir, "ansible"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
               ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3")

    def play(state):
        out = subprocess.run(["/usr/bin/ansible-playbook", "-i", "localhost,", "-c", "local", playbook,
                              "-e", f"efsd_endpoint={efsd.url}", "-e", f"efs_state={state}"],
                             capture_output=True, text=True, env=env, timeout=300)
        recap = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out.stdout)
        if out.returncode != 0 or not recap:
            print(out.stdout[-3000:], out.stderr[-2000:])
            return None
        return int(recap.group(2))

    check(play("present") == 1, "ansible finds the subnet and group (amazon.aws EC2 info modules) "
          "and community.aws.efs makes the file system (changed)")
    check(play("present") == 0, "the same playbook again changes nothing (ok)")
    made = efsd.efs("describe-fs", "--creation-token", "shared-data")["FileSystems"]
    fs_id = made[0]["FileSystemId"] if made else ""
    tags = {t["Key"]: t["Value"] for t in made[0]["Tags"]} if made else {}
    targets = efsd.efs("describe-mount-targets", "--file-system-id", fs_id)["MountTargets"] if made else []
    lifecycle = efsd.efs("describe-lifecycle", "--file-system-id", fs_id) if made else {}
    check(tags == {"Name": "shared-data", "team": "storage"} and len(targets) == 1 and
          targets[0]["SubnetId"] == subnet and
          lifecycle.get("LifecyclePolicies") == [{"TransitionToIA": "AFTER_30_DAYS"}],
          "efs sees the playbook's tags, mount target and lifecycle policy")
    # Mount what it made and use it.
    mnt = os.path.join(efsd.dir, "mnt")
    os.makedirs(mnt)
    mounted = subprocess.run([f"{BIN}/efs", "--socket", efsd.sock, "mount", fs_id, mnt],
                             capture_output=True, text=True, timeout=60)
    try:
        if mounted.returncode == 0:
            with open(os.path.join(mnt, "greeting"), "w") as f:
                f.write("hello from ansible\n")
            with open(os.path.join(mnt, "greeting")) as f:
                check(f.read() == "hello from ansible\n", "the file system it made mounts and holds a file")
        else:
            check(False, f"efs mount of the playbook's file system: {mounted.stderr}")
    finally:
        subprocess.run([f"{BIN}/efs", "--socket", efsd.sock, "umount", mnt], capture_output=True,
                       timeout=60)
    check(play("absent") == 1, "state absent deletes the mount target and the file system")
    check(play("absent") == 0, "and again changes nothing")
    check(not efsd.efs("describe-fs", "--creation-token", "shared-data")["FileSystems"],
          "the file system is gone")


def raw(efsd, data, read=True, timeout=5):
    """Sends bytes on a fresh connection; returns the status line's code (0 if none)."""
    with socket.create_connection(("127.0.0.1", efsd.port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return 0
        reply = b""
        with contextlib.suppress(socket.timeout, ConnectionResetError):
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        parts = reply.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def signed(efsd, key, method, path, body=b"", when=None):
    req = AWSRequest(method=method, url=efsd.url + path, data=body,
                     headers={"Content-Type": "application/json"})
    auth = botocore.auth.SigV4Auth(Credentials(*key), "elasticfilesystem", REGION)
    if when is None:
        auth.add_auth(req)
    else:  # a clock that is off
        real = botocore.auth.datetime.datetime

        class Skewed(real):
            @classmethod
            def utcnow(cls):
                return real.utcnow() + when

            @classmethod
            def now(cls, tz=None):
                return real.now(tz) + when
        botocore.auth.datetime.datetime = Skewed
        try:
            auth.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = real
    prepared = req.prepare()
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in prepared.headers.items())
    head += f"Host: 127.0.0.1:{efsd.port}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", efsd.port), timeout=5) as s:
        s.sendall(head.encode() + body)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    error = next((line.split(b":", 1)[1].strip().decode() for line in reply.split(b"\r\n")
                  if line.lower().startswith(b"x-amzn-errortype:")), None)
    return status, error


def hostile(efsd, root):
    efs = client(efsd, root)
    def ok():
        return "FileSystems" in efs.describe_file_systems()
    # Unsigned.
    code = raw(efsd, b"GET /2015-02-01/file-systems HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(code == 403, f"an unsigned request is refused 403 ({code})")
    status, error = signed(efsd, root, "GET", "/2015-02-01/file-systems",
                           when=datetime.timedelta(minutes=-20))
    check((status, error) == (403, "SignatureDoesNotMatch"),
          f"a request signed 20 minutes ago is expired ({status} {error})")
    status, error = signed(efsd, root, "GET", "/2015-02-01/file-systems",
                           when=datetime.timedelta(minutes=5))
    check(status == 200, f"5 minutes of clock skew is accepted ({status} {error})")
    status, error = signed(efsd, (root[0], "x" * 40), "GET", "/2015-02-01/file-systems")
    check((status, error) == (403, "SignatureDoesNotMatch"), "a wrong secret")
    status, error = signed(efsd, root, "POST", "/2015-02-01/file-systems", b"{\"CreationToken\": ")
    check((status, error) == (400, "BadRequest"), f"malformed JSON is BadRequest ({status})")
    status, error = signed(efsd, root, "POST", "/2015-02-01/file-systems",
                           json.dumps({"CreationToken": 7}).encode())
    check((status, error) == (400, "BadRequest"), "a wrong type is BadRequest")
    status, error = signed(efsd, root, "POST", "/2015-02-01/file-systems",
                           json.dumps({"CreationToken": "x", "Colour": "red"}).encode())
    check((status, error) == (400, "BadRequest"), "an unknown field is BadRequest")
    # A body over 64 KiB, headers over 16 KiB, garbage.
    big = b"x" * (2 << 20)
    code = raw(efsd, b"POST /2015-02-01/file-systems HTTP/1.1\r\nHost: x\r\nContent-Length: " +
               str(len(big)).encode() + b"\r\n\r\n" + big[:65536])
    check(code == 413, f"a 2 MiB body is refused 413 ({code})")
    code = raw(efsd, b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 20000 + b"\r\n\r\n")
    check(code == 431, f"20 KB of headers are refused 431 ({code})")
    code = raw(efsd, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
    check(code == 400, f"garbage is refused 400 ({code})")
    check(ok(), "after all that, a signed request is answered")

    # A slow client holds only its own connection.
    slow = socket.create_connection(("127.0.0.1", efsd.port))
    slow.sendall(b"GET /2015-02-01/file-systems HTTP/1.1\r\nHost: x\r\n")
    t = time.time()
    check(ok() and time.time() - t < 2, "a client that stops mid-headers delays no one")
    slow.close()

    # More connections than allowed (1024): the extra ones get 503, the rest and later ones work.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    held = []
    try:
        for _ in range(1100):
            held.append(socket.create_connection(("127.0.0.1", efsd.port), timeout=5))
        busy = 0
        for s in held[-50:]:
            s.settimeout(2)
            with contextlib.suppress(OSError):
                busy += s.recv(64).startswith(b"HTTP/1.1 503")
        check(busy >= 40, f"beyond 1024 connections the server answers 503 ({busy} of 50)")
    finally:
        for s in held:
            s.close()
    for _ in range(100):
        with contextlib.suppress(Exception):
            if ok():
                break
        time.sleep(0.1)
    check(ok(), "once they close, requests are answered again")
    rss = int(next(line.split()[1] for line in open(f"/proc/{efsd.proc.pid}/status")
                   if line.startswith("VmRSS")))
    print(f"efsd RSS after the abuse: {rss / 1024:.1f} MB")
    check(rss < 512 * 1024, "efsd's memory stayed bounded")


def main():
    for tool, package in (("/usr/bin/aws", "awscli"), ("/usr/bin/ansible-playbook", "ansible")):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is missing (scripts/install-deps installs {package})")
            return 1
    efsd = Efsd(BIN)
    try:
        root = efsd.efs("create-access-key", "--user-name", "root")["AccessKey"]
        root = (root["AccessKeyId"], root["SecretAccessKey"])
        other = efsd.efs("create-access-key", "--user-name", "daemon")["AccessKey"]
        other = (other["AccessKeyId"], other["SecretAccessKey"])
        boto3_flow(efsd, root, other)
        aws_cli_flow(efsd, root)
        prometheus_flow(efsd, root)
        ec2_flow(efsd, root)
        ansible_flow(efsd, root)
        hostile(efsd, root)
        efsd.efs("delete-access-key", "--access-key-id", other[0])
        code, status, _ = error_of(lambda: client(efsd, other).describe_file_systems())
        check((code, status) == ("InvalidClientTokenId", 403), "a deleted key is refused")
    finally:
        efsd.stop(show_log=bool(FAILURES))
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
