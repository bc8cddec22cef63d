// The catalog format: STATE_DIR/catalog.db, the control plane's SQLite database.
//
// ** The file **
// One SQLite database in WAL mode (catalog.db plus catalog.db-wal and catalog.db-shm beside
// it), synchronous=FULL, foreign_keys=ON. PRAGMA application_id is kApplicationId ("EFSD"), so
// efsd refuses to treat some other SQLite file as its catalog; PRAGMA user_version is the
// schema version below. Only efsd writes it, through lib/store/catalog.h.
//
// ** Tables **
//   settings          key/value facts about the catalog itself (the region it was made for,
//                     the network backend its addresses belong to).
//   vpcs              one row per VPC: id "vpc-<hex>", IPv4 CIDR text "a.b.c.d/n", is_default,
//                     state pending|available|deleting (its network is made, there, or being
//                     removed), the id of its main route table "rtb-<hex>". Exactly one VPC
//                     has is_default = 1 (created on first open).
//   subnets           id "subnet-<hex>", its VPC, CIDR (inside the VPC's, disjoint from its
//                     siblings), availability zone name and id, default_for_az.
//   security_groups   id "sg-<hex>", its VPC, name (unique within the VPC), description,
//                     is_default (the VPC's group named "default"; never deleted).
//   security_group_rules   inbound rules: protocol ("tcp", "udp", "icmp" or "-1" for all),
//                     from_port/to_port (-1 when the protocol has no ports), source CIDR and an
//                     optional description. A (group, protocol, ports, cidr) tuple is unique.
//   file_systems      one row per file system that exists from the API's point of view, i.e.
//                     until its deletion is finished. creation_token is UNIQUE: this constraint
//                     is what makes CreateFileSystem idempotent even under races. seq orders
//                     rows by creation and is the paging key (AUTOINCREMENT: never reused).
//                     state is creating|available|updating|deleting|error. size_* are the
//                     metered sizes (bytes) and size_timestamp when they were measured (0 while
//                     unknown). throughput_changed_at is when the file system last switched to
//                     provisioned throughput or changed its provisioned amount (NULL if never);
//                     it drives the 24-hour rule. Times are epoch seconds (REAL).
//   mount_targets     id "fsmt-<hex>", its file system and subnet (both foreign keys, so a file
//                     system or subnet with mount targets cannot lose its row), its IPv4 address
//                     (unique within its VPC, checked by the control plane; two VPCs of the
//                     netns backend may share a CIDR), its network interface id "eni-<hex>"
//                     and state.
//   network_interfaces   client network interfaces "eni-<hex>" (mount targets' are in
//                     mount_targets): subnet, address, Ipv4Prefixes (space-separated CIDRs),
//                     description, requester ("efs-host" for efs mount's own, else NULL), state
//                     available|attaching|in-use|detaching|deleting, and the attachment: its id
//                     "eni-attach-<hex>", kind (netns: a namespace's path; new-netns: one efsd
//                     makes; device: a host interface moved in), target, interface name and
//                     time; owner_pid/owner_start name the process (efs exec) whose end
//                     deletes it. Addresses are unique within a VPC, across both tables.
//   vpc_peering_connections   "pcx-<hex>": requester and accepter VPC, state
//                     pending-acceptance|active|deleting|failed|rejected|expired, a status
//                     message.
//   routes            the main route table of each VPC (vpcs.route_table_id), beside its
//                     implicit local route: destination CIDR -> a peering or VPN gateway.
//   vpn_gateways      "vgw-<hex>": type, ASN, the host device its traffic uses (efsd's
//                     extension), state, and its attachment (VPC and state; kept, detached,
//                     after a detach, as EC2 shows it).
//   failed_zones      availability zones taken down by efs debug fail-az.
//   mount_target_security_groups   the security groups of each mount target (1..5, all in the
//                     mount target's VPC); rows go with their mount target (ON DELETE CASCADE).
//   tags              (resource_id, key) -> value for file systems (and later access points).
//                     No foreign key, since resources of several kinds are tagged; deleting a
//                     resource deletes its tags in the same transaction.
//   lifecycle_policies   (fs_id, kind) -> value, kind one of TransitionToIA,
//                     TransitionToArchive, TransitionToPrimaryStorageClass.
//   access_keys       "AKIA<16>" -> its secret, the local user it acts for (name and uid) and
//                     when it was made: the keys that sign requests to efsd's HTTP endpoint
//                     (the catalog file is 0600, as every state file).
//
// ** Invariants **
// Every change the API acknowledges is one committed transaction. Work outside the catalog
// (data directories, listeners) happens after the transaction that records the intent (state
// creating or deleting) and before the transaction that records its completion, so a crash
// between the two is finished by the next reconcile pass.
//
// ** Migrations **
// kMigrations[v] moves a catalog from user_version v to v+1; kSchemaVersion is their count.
// Opening a catalog runs the missing steps in order, each in its own transaction together with
// its user_version bump. A catalog whose user_version is above kSchemaVersion was written by a
// newer efsd and is refused (kFailedPrecondition), never modified. Released steps are never
// edited: a change to the format is a new step appended to kMigrations.
#pragma once

#include <cstddef>
#include <iterator>

#include "base/status.h"

namespace efs::store {

class Db;

// 'E' 'F' 'S' 'D'.
inline constexpr int kApplicationId = 0x45465344;

// Version 0 -> 1: the initial catalog.
inline constexpr const char kSchemaV1[] = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE vpcs (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE,
  cidr       TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE subnets (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT NOT NULL UNIQUE,
  vpc_id         TEXT NOT NULL REFERENCES vpcs(id),
  cidr           TEXT NOT NULL,
  az_name        TEXT NOT NULL,
  az_id          TEXT NOT NULL,
  default_for_az INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subnets_by_vpc ON subnets(vpc_id);

CREATE TABLE security_groups (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL UNIQUE,
  vpc_id      TEXT NOT NULL REFERENCES vpcs(id),
  name        TEXT NOT NULL,
  description TEXT NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (vpc_id, name)
);

CREATE TABLE security_group_rules (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id    TEXT NOT NULL REFERENCES security_groups(id) ON DELETE CASCADE,
  protocol    TEXT NOT NULL,
  from_port   INTEGER NOT NULL,
  to_port     INTEGER NOT NULL,
  cidr        TEXT NOT NULL,
  description TEXT,
  UNIQUE (group_id, protocol, from_port, to_port, cidr)
);

CREATE TABLE file_systems (
  seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
  id                    TEXT NOT NULL UNIQUE,
  creation_token        TEXT NOT NULL UNIQUE,
  arn                   TEXT NOT NULL,
  creation_time         REAL NOT NULL,
  state                 TEXT NOT NULL
      CHECK (state IN ('creating', 'available', 'updating', 'deleting', 'error')),
  performance_mode      TEXT NOT NULL,
  encrypted             INTEGER NOT NULL,
  kms_key_id            TEXT,
  throughput_mode       TEXT NOT NULL,
  provisioned_mibps     REAL,
  az_name               TEXT,
  az_id                 TEXT,
  backup                INTEGER NOT NULL,
  throughput_changed_at REAL,
  size_value            INTEGER NOT NULL DEFAULT 0,
  size_standard         INTEGER NOT NULL DEFAULT 0,
  size_ia               INTEGER NOT NULL DEFAULT 0,
  size_archive          INTEGER NOT NULL DEFAULT 0,
  size_timestamp        REAL NOT NULL DEFAULT 0
);
CREATE INDEX file_systems_by_state ON file_systems(state);

CREATE TABLE mount_targets (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  fs_id         TEXT NOT NULL REFERENCES file_systems(id),
  subnet_id     TEXT NOT NULL REFERENCES subnets(id),
  ip            TEXT NOT NULL UNIQUE,
  eni_id        TEXT NOT NULL UNIQUE,
  state         TEXT NOT NULL
      CHECK (state IN ('creating', 'available', 'updating', 'deleting', 'error')),
  creation_time REAL NOT NULL
);
CREATE INDEX mount_targets_by_fs ON mount_targets(fs_id);
CREATE INDEX mount_targets_by_subnet ON mount_targets(subnet_id);
CREATE INDEX mount_targets_by_state ON mount_targets(state);

CREATE TABLE mount_target_security_groups (
  mount_target_id TEXT NOT NULL REFERENCES mount_targets(id) ON DELETE CASCADE,
  group_id        TEXT NOT NULL REFERENCES security_groups(id),
  PRIMARY KEY (mount_target_id, group_id)
) WITHOUT ROWID;
CREATE INDEX mount_target_security_groups_by_group ON mount_target_security_groups(group_id);

CREATE TABLE tags (
  resource_id TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (resource_id, key)
) WITHOUT ROWID;

CREATE TABLE lifecycle_policies (
  fs_id TEXT NOT NULL REFERENCES file_systems(id) ON DELETE CASCADE,
  kind  TEXT NOT NULL
      CHECK (kind IN ('TransitionToIA', 'TransitionToArchive', 'TransitionToPrimaryStorageClass')),
  value TEXT NOT NULL,
  PRIMARY KEY (fs_id, kind)
) WITHOUT ROWID;
)sql";

// Version 1 -> 2: VPCs as networks of their own (the netns backend). VPCs gain a state and a
// main route table; client network interfaces, VPC peering connections, routes, VPN gateways
// and failed zones get tables; a mount target's address is unique within its VPC only (two
// VPCs may use the same CIDR), so mount_targets is rebuilt without UNIQUE(ip), its security
// groups kept aside across the rebuild (dropping the table would cascade to them).
inline constexpr const char kSchemaV2[] = R"sql(
ALTER TABLE vpcs ADD COLUMN state TEXT NOT NULL DEFAULT 'available'
    CHECK (state IN ('pending', 'available', 'deleting'));
ALTER TABLE vpcs ADD COLUMN route_table_id TEXT;
UPDATE vpcs SET route_table_id = 'rtb-' || substr(id, 5);

CREATE TABLE mount_target_security_groups_copy AS SELECT * FROM mount_target_security_groups;
CREATE TABLE mount_targets_v2 (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  fs_id         TEXT NOT NULL REFERENCES file_systems(id),
  subnet_id     TEXT NOT NULL REFERENCES subnets(id),
  ip            TEXT NOT NULL,
  eni_id        TEXT NOT NULL UNIQUE,
  state         TEXT NOT NULL
      CHECK (state IN ('creating', 'available', 'updating', 'deleting', 'error')),
  creation_time REAL NOT NULL
);
INSERT INTO mount_targets_v2 SELECT seq, id, fs_id, subnet_id, ip, eni_id, state, creation_time
    FROM mount_targets;
DROP TABLE mount_targets;
ALTER TABLE mount_targets_v2 RENAME TO mount_targets;
CREATE INDEX mount_targets_by_fs ON mount_targets(fs_id);
CREATE INDEX mount_targets_by_subnet ON mount_targets(subnet_id);
CREATE INDEX mount_targets_by_state ON mount_targets(state);
CREATE INDEX mount_targets_by_ip ON mount_targets(ip);
INSERT INTO mount_target_security_groups SELECT * FROM mount_target_security_groups_copy;
DROP TABLE mount_target_security_groups_copy;

CREATE TABLE network_interfaces (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  subnet_id     TEXT NOT NULL REFERENCES subnets(id),
  ip            TEXT NOT NULL,
  prefixes      TEXT NOT NULL DEFAULT '',
  description   TEXT NOT NULL DEFAULT '',
  requester     TEXT,
  state         TEXT NOT NULL
      CHECK (state IN ('available', 'attaching', 'in-use', 'detaching', 'deleting')),
  attachment_id TEXT,
  attach_kind   TEXT CHECK (attach_kind IN ('netns', 'new-netns', 'device')),
  attach_target TEXT,
  ifname        TEXT,
  attach_time   REAL,
  owner_pid     INTEGER,
  owner_start   INTEGER,
  creation_time REAL NOT NULL
);
CREATE INDEX network_interfaces_by_subnet ON network_interfaces(subnet_id);
CREATE INDEX network_interfaces_by_ip ON network_interfaces(ip);

CREATE TABLE vpc_peering_connections (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  requester_vpc_id TEXT NOT NULL REFERENCES vpcs(id),
  accepter_vpc_id  TEXT NOT NULL REFERENCES vpcs(id),
  state            TEXT NOT NULL
      CHECK (state IN ('pending-acceptance', 'active', 'deleting', 'failed', 'rejected',
                       'expired')),
  message          TEXT NOT NULL DEFAULT '',
  creation_time    REAL NOT NULL,
  expiration_time  REAL
);

CREATE TABLE routes (
  vpc_id      TEXT NOT NULL REFERENCES vpcs(id),
  cidr        TEXT NOT NULL,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('pcx', 'vgw')),
  target_id   TEXT NOT NULL,
  PRIMARY KEY (vpc_id, cidr)
) WITHOUT ROWID;

CREATE TABLE vpn_gateways (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  type             TEXT NOT NULL,
  amazon_side_asn  INTEGER NOT NULL,
  device           TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('available', 'deleting')),
  vpc_id           TEXT,
  attachment_state TEXT CHECK (attachment_state IN ('attaching', 'attached', 'detaching',
                                                    'detached')),
  creation_time    REAL NOT NULL
);

CREATE TABLE failed_zones (
  az_id TEXT PRIMARY KEY
) WITHOUT ROWID;
)sql";

// v3: access keys.
inline constexpr const char kSchemaV3[] = R"sql(
CREATE TABLE access_keys (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  secret        TEXT NOT NULL,
  user_name     TEXT NOT NULL,
  uid           INTEGER NOT NULL,
  creation_time REAL NOT NULL
);
)sql";

// kMigrations[v] takes user_version v to v + 1.
inline constexpr const char* kMigrations[] = {
    kSchemaV1,
    kSchemaV2,
    kSchemaV3,
};
inline constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// Brings `db` to `target_version` (default: the current one) by running the missing steps, and
// stamps kApplicationId on a new file. Fails with kCorruption if the file carries another
// application id, and kFailedPrecondition if its version is above kSchemaVersion (or above
// target_version: migrations only go forward).
Status MigrateSchema(Db& db, int target_version = kSchemaVersion);

// A versioned SQLite file format: what MigrateFile needs to open one forward.
struct FileFormat {
  const char* name;              // "catalog", "namespace": for messages
  int application_id;            // PRAGMA application_id of files of this format
  const char* const* steps;      // steps[v] takes user_version v to v + 1
  int step_count;
};

// The statements that make `format`'s current schema in an empty database of any engine: the
// migrations run in a private in-memory SQLite database, whose tables (each after the tables it
// references), rows (what migrations inserted) and indexes are then written out as SQLite keeps
// their text.
Result<std::string> CurrentSchemaSql(const FileFormat& format);

// Brings `db` to `target_version` of `format`, one transaction per step. A fresh file (version
// 0, application id 0) is stamped with the format's id. Fails with kCorruption for a file of
// another application id and kFailedPrecondition for a version above `target_version`. A fresh
// database of an engine that TakesSchemaWhole gets CurrentSchemaSql in one transaction (and
// kFailedPrecondition if `target_version` is not the current one).
// REQUIRES: 0 <= target_version <= format.step_count.
Status MigrateFile(Db& db, const FileFormat& format, int target_version);

}  // namespace efs::store
