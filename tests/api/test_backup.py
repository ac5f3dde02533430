"""coffer backup / restore / verify on real servers and real SQLite files: a backup taken
while clients write restores into a store that serves the same secrets and checkouts;
verify names a tampered row; the data directory's files stay private."""
import base64
import os
import secrets
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, Server, call  # noqa: E402

WRONG_KEY = "coffer: the master key does not unlock this data directory's keyring (wrong master key?)"


def coffer(*args, env=None):
    return subprocess.run([COFFER, *args], capture_output=True, text=True, env=env)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def value_of(name):
    return "value-of-" + name


def secret_body(name):
    return {"metadata": {"name": name},
            "data": {"env_vars": [{"name": "V", "value": value_of(name)}],
                     "files": [{"path": "f/" + name,
                                "content": base64.b64encode(name.encode() * 3).decode()}]}}


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="coffer-backup-test-")
        self.servers = []

    def tearDown(self):
        for s in reversed(self.servers):  # a later one may use an earlier one's directory
            s.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server(self, data_dir=None, **kw):
        s = Server(data_dir=data_dir, **kw)
        self.servers.append(s)
        return s

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def create(self, srv, name, path="/api/v1beta/secrets"):
        r = call(srv.url, "POST", path, srv.token, secret_body(name))
        self.assertEqual(r.status, 200, r)
        return r.json["metadata"]["id"]

    def names(self, srv, token=None):
        seen, page_token = [], ""
        while True:
            r = call(srv.url, "GET", f"/api/v1beta/secrets?page_size=100&page_token={page_token}",
                     token or srv.token)
            self.assertEqual(r.status, 200, r)
            seen += [s["metadata"]["name"] for s in r.json["secrets"]]
            page_token = r.json["next_page_token"]
            if not page_token:
                return seen

    def backup(self, srv_dir, to, *extra):
        r = coffer("backup", "--data-dir", srv_dir, "--to", to, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def restore(self, frm, into, *extra):
        r = coffer("restore", "--from", frm, "--data-dir", into, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r


class BackupWhileWriting(Base):
    def test_backup_while_clients_write_restores_every_secret_and_checkout(self):
        a = self.server()
        ci = a.user_token("ci", "Orchestrator")
        r = call(a.url, "POST", "/api/v1alpha/projects", a.token,
                 {"apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "app"},
                  "spec": {"repository": {"url": "git@example.com:acme/app.git",
                                          "forked_pull_requests": {"allowed_secrets": []}}}})
        self.assertEqual(r.status, 200, r)
        before = [f"base-{i:02d}" for i in range(12)]
        for n in before:
            self.create(a, n)
        self.create(a, "proj-secret", "/api/v1/projects/app/secrets")

        # Four clients keep creating secrets; the backup starts once each has written one
        # and the clients stop once each has written one more after the backup finished.
        acked, attempted, lock = [], [], threading.Lock()
        started = threading.Barrier(5)
        backup_done = threading.Event()
        failures = []

        def writer(w):
            i, after = 0, 0
            while after < 2:
                name = f"w{w}-{i:03d}"
                with lock:
                    attempted.append(name)
                r = call(a.url, "POST", "/api/v1beta/secrets", a.token, secret_body(name))
                if r.status != 200:
                    failures.append(r)
                    started.abort()
                    return
                with lock:
                    acked.append(name)
                if i == 0:
                    started.wait()
                if backup_done.is_set():
                    after += 1
                i += 1

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        started.wait()
        with lock:
            acked_before = list(acked)
        out = self.path("store.backup")
        r = self.backup(a.data_dir, out)
        backup_done.set()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertIn("The master key is not in the backup", r.stdout)
        self.assertEqual(mode(out), 0o600)
        self.assertEqual([f for f in os.listdir(self.tmp) if f != "store.backup"], [])

        # One consistent state: everything acknowledged before the backup began, nothing
        # that was never attempted, and every row with its version and its audit event.
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(con.execute("PRAGMA journal_mode").fetchone()[0], "delete")
        in_backup = {n for (n,) in con.execute("SELECT name FROM secrets WHERE scope = 'ORGANIZATION'")}
        self.assertTrue(set(before + acked_before) <= in_backup)
        self.assertTrue(in_backup <= set(before + attempted))
        self.assertEqual(con.execute(
            "SELECT COUNT(*) FROM secrets s WHERE NOT EXISTS (SELECT 1 FROM secret_versions v "
            "WHERE v.secret_id = s.id AND v.version = s.version)").fetchone()[0], 0)
        self.assertEqual(con.execute(
            "SELECT COUNT(*) FROM secrets s WHERE NOT EXISTS (SELECT 1 FROM audit a "
            "WHERE a.resource_id = s.id AND a.action = 'secret.create')").fetchone()[0], 0)
        self.assertEqual(con.execute("SELECT COUNT(*) FROM keyring").fetchone()[0], 1)
        con.close()

        # Restore into a new directory with the same master key, and serve it.
        b_dir = self.path("restored")
        r = self.restore(out, b_dir)
        self.assertIn("The backup holds no master key", r.stdout)
        self.assertEqual(mode(b_dir), 0o700)
        self.assertEqual(mode(os.path.join(b_dir, "coffer.db")), 0o600)
        shutil.copy(os.path.join(a.data_dir, "master.key"), os.path.join(b_dir, "master.key"))
        os.chmod(os.path.join(b_dir, "master.key"), 0o600)
        b = self.server(data_dir=b_dir, expect_token=False)
        b.token = a.token  # tokens are in the store: the restored one knows them
        self.assertEqual(sorted(self.names(b)), sorted(in_backup))

        # Every checkout on the restored server is the original's, byte for byte.
        names = sorted(in_backup)
        for chunk in (names[i:i + 50] for i in range(0, len(names), 50)):
            outs = []
            for srv in (a, b):
                job = call(srv.url, "POST", "/api/v1alpha/jobs", ci,
                           {"project_id_or_name": "app", "secrets": chunk + ["proj-secret"],
                            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                            "triggered_by": {"type": "AUTO"}})
                self.assertEqual(job.status, 200, job)
                got = call(srv.url, "GET", f"/api/v1alpha/jobs/{job.json['job_id']}/secrets",
                           job.json["token"])
                self.assertEqual(got.status, 200, got)
                outs.append(got.json)
            for part in ("env_vars", "files"):
                self.assertEqual(outs[0][part], outs[1][part])
            self.assertEqual(len(outs[1]["files"]), len(chunk) + 1)
            for f in outs[1]["files"]:
                self.assertEqual(base64.b64decode(f["content"]), f["secret"].encode() * 3)

        # The restored store verifies.
        r = coffer("verify", "--data-dir", b_dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"{len(in_backup) + 1} secret versions ok, 0 failed", r.stdout)


class Verify(Base):
    def test_verify_passes_then_names_a_flipped_byte_and_fails(self):
        a = self.server()
        ids = {n: self.create(a, n) for n in ("alpha", "beta", "gamma")}
        r = call(a.url, "PATCH", "/api/v1beta/secrets/beta", a.token,
                 {"data": {"env_vars": [{"name": "V", "value": "beta-2"}]}})
        self.assertEqual(r.status, 200, r)
        r = coffer("verify", "--data-dir", a.data_dir)  # while the server runs
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.strip().splitlines(),
                         ["verify: 2 keys ok, 0 failed; 4 secret versions ok, 0 failed, "
                          "0 destroyed (skipped)"])

        con = sqlite3.connect(os.path.join(a.data_dir, "coffer.db"), timeout=10)
        (sealed,) = con.execute("SELECT sealed FROM secret_versions WHERE secret_id = ? AND "
                                "version = 1", (ids["beta"],)).fetchone()
        bad = bytearray(sealed)
        bad[90] ^= 0x01  # inside the payload ciphertext
        con.execute("UPDATE secret_versions SET sealed = ? WHERE secret_id = ? AND version = 1",
                    (bytes(bad), ids["beta"]))
        con.commit()
        con.close()
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        lines = r.stdout.strip().splitlines()
        self.assertEqual(len(lines), 2, lines)
        org = call(a.url, "GET", "/api/v1beta/secrets/beta", a.token).json["metadata"]
        self.assertTrue(lines[0].startswith(f"FAIL secret {ids['beta']} version 1 (name beta, "
                                            "scope ORGANIZATION, owner -, org "), lines[0])
        self.assertIn(", key 1): authentication failed", lines[0])
        self.assertEqual(lines[1], "verify: 2 keys ok, 0 failed; 3 secret versions ok, 1 failed, "
                                   "0 destroyed (skipped)")
        self.assertNotIn("value-of", r.stdout + r.stderr)
        self.assertTrue(org)

    def test_history_destroyed_and_deleted_secrets(self):
        a = self.server()
        self.create(a, "hist")
        for v in ("two", "three"):
            r = call(a.url, "PATCH", "/api/v1beta/secrets/hist", a.token,
                     {"data": {"env_vars": [{"name": "V", "value": v}]}})
            self.assertEqual(r.status, 200, r)
        r = call(a.url, "DELETE", "/api/v1beta/secrets/hist/versions/1", a.token)
        self.assertEqual(r.status, 200, r)
        gone = self.create(a, "gone")
        r = call(a.url, "DELETE", "/api/v1beta/secrets/gone", a.token)
        self.assertEqual(r.status, 200, r)
        # The deleted secret's version is checked too; the destroyed one is counted apart.
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("3 secret versions ok, 0 failed, 1 destroyed (skipped)", r.stdout)
        out = self.path("b.db")
        self.backup(a.data_dir, out)
        b_dir = self.path("r")
        self.restore(out, b_dir)
        shutil.copy(os.path.join(a.data_dir, "master.key"), os.path.join(b_dir, "master.key"))
        b = self.server(data_dir=b_dir, expect_token=False)
        deleted = call(b.url, "GET", "/api/v1beta/secrets?deleted=true", a.token)
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual([s["metadata"]["name"] for s in deleted.json["secrets"]], ["gone"])
        r = call(b.url, "POST", f"/api/v1beta/secrets/{gone}/restore", a.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(self.names(b, a.token)), ["gone", "hist"])
        versions = call(b.url, "GET", "/api/v1beta/secrets/hist/versions", a.token)
        self.assertEqual(versions.status, 200, versions)

    def test_a_damaged_named_key_is_named(self):
        a = self.server()
        self.create(a, "alpha")
        a.stop()
        con = sqlite3.connect(os.path.join(a.data_dir, "coffer.db"))
        (wrapped,) = con.execute("SELECT wrapped FROM named_keys WHERE name = 'fingerprint'").fetchone()
        bad = bytearray(wrapped)
        bad[-1] ^= 0x01
        con.execute("UPDATE named_keys SET wrapped = ? WHERE name = 'fingerprint'", (bytes(bad),))
        con.commit()
        con.close()
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(r.stdout.splitlines(),
                         ["FAIL key fingerprint: does not unwrap with the master key",
                          "verify: 1 keys ok, 1 failed; 1 secret versions ok, 0 failed, "
                          "0 destroyed (skipped)"])

    def test_after_a_rotation_a_damaged_old_key_then_a_retired_one(self):
        a = self.server()
        self.create(a, "alpha")
        self.create(a, "beta")
        a.stop()
        r = coffer("keys", "--data-dir", a.data_dir, "rotate")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verify: 3 keys ok, 0 failed; 2 secret versions ok", r.stdout)
        db = os.path.join(a.data_dir, "coffer.db")
        con = sqlite3.connect(db)
        (wrapped,) = con.execute("SELECT wrapped FROM keyring WHERE id = 1").fetchone()
        bad = bytearray(wrapped)
        bad[-1] ^= 0x01
        con.execute("UPDATE keyring SET wrapped = ? WHERE id = 1", (bytes(bad),))
        con.commit()
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(r.stdout.splitlines(),
                         ["FAIL key 1: does not unwrap with the master key",
                          "verify: 2 keys ok, 1 failed; 2 secret versions ok, 0 failed, "
                          "0 destroyed (skipped)"])
        con.execute("UPDATE keyring SET wrapped = ? WHERE id = 1", (wrapped,))
        con.commit()
        con.close()
        r = coffer("keys", "--data-dir", a.data_dir, "retire", "1")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = coffer("verify", "--data-dir", a.data_dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verify: 2 keys ok, 0 failed, 1 retired; 2 secret versions ok, 0 failed",
                      r.stdout)

    def test_wrong_master_key_is_one_sentence(self):
        a = self.server()
        self.create(a, "alpha")
        wrong = self.path("wrong.key")
        with open(wrong, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        os.chmod(wrong, 0o600)
        r = coffer("verify", "--data-dir", a.data_dir, "--master-key-file", wrong)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, WRONG_KEY + "\n")
        env = dict(os.environ, WRONG_KEY=secrets.token_hex(32))
        r = coffer("verify", "--data-dir", a.data_dir, "--master-key-env", "WRONG_KEY", env=env)
        self.assertEqual((r.returncode, r.stderr), (1, WRONG_KEY + "\n"))

    def test_verify_a_backup_file(self):
        a = self.server()
        self.create(a, "alpha")
        out = self.path("b.db")
        self.backup(a.data_dir, out)
        r = coffer("verify", "--file", out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--file needs the master key", r.stderr)
        r = coffer("verify", "--file", out, "--master-key-file",
                   os.path.join(a.data_dir, "master.key"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 secret versions ok, 0 failed", r.stdout)


class Files(Base):
    def assert_private(self, data_dir, expected):
        self.assertEqual(mode(data_dir), 0o700)
        present = sorted(os.listdir(data_dir))
        self.assertEqual(present, sorted(expected))
        for f in present:
            self.assertEqual(mode(os.path.join(data_dir, f)), 0o600, f)

    def test_modes_after_start_backup_and_restore(self):
        live = ["coffer.db", "coffer.db-wal", "coffer.db-shm", "master.key"]
        a = self.server()
        self.create(a, "alpha")
        self.assert_private(a.data_dir, live)
        out = self.path("b.db")
        self.backup(a.data_dir, out)
        self.assertEqual(mode(out), 0o600)
        self.assert_private(a.data_dir, live)
        b_dir = self.path("r")
        self.restore(out, b_dir)
        self.assert_private(b_dir, ["coffer.db"])
        shutil.copy(os.path.join(a.data_dir, "master.key"), os.path.join(b_dir, "master.key"))
        os.chmod(os.path.join(b_dir, "master.key"), 0o600)
        b = self.server(data_dir=b_dir, expect_token=False)
        self.assertEqual(self.names(b, a.token), ["alpha"])
        self.assert_private(b_dir, live)
        b.stop()
        self.assert_private(b_dir, ["coffer.db", "master.key"])

    def test_backup_refuses_to_overwrite_unless_forced(self):
        a = self.server()
        out = self.path("b.db")
        with open(out, "w") as f:
            f.write("precious")
        os.chmod(out, 0o644)
        r = coffer("backup", "--data-dir", a.data_dir, "--to", out)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"coffer: {out} exists; use --force to replace it\n")
        with open(out) as f:
            self.assertEqual(f.read(), "precious")
        self.backup(a.data_dir, out, "--force")
        self.assertEqual(mode(out), 0o600)  # a new file, not the old one rewritten
        self.assertEqual(sorted(os.listdir(self.tmp)), ["b.db"])
        r = coffer("backup", "--data-dir", self.path("none"), "--to", self.path("x.db"))
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("coffer: cannot open the data directory"), r.stderr)
        empty = self.path("empty")
        os.mkdir(empty, 0o700)
        for args in (("backup", "--data-dir", empty, "--to", self.path("y.db")),
                     ("verify", "--data-dir", empty)):
            r = coffer(*args)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr, f"coffer: there is no SQLite store at {empty}/coffer.db "
                                       f"(coffer {args[0]} works on the embedded store; on "
                                       "PostgreSQL use pg_dump and pg_restore)\n")


class RestoreRefusals(Base):
    def setUp(self):
        super().setUp()
        self.a = self.server()
        self.create(self.a, "alpha")
        self.out = self.path("b.db")
        self.backup(self.a.data_dir, self.out)

    def refused(self, frm, into, *extra):
        r = coffer("restore", "--from", frm, "--data-dir", into, *extra)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        return r.stderr

    def test_not_a_coffer_store(self):
        junk = self.path("junk")
        with open(junk, "wb") as f:
            f.write(os.urandom(8192))
        self.assertIn("is not a Coffer store (not an SQLite database)",
                      self.refused(junk, self.path("r1")))
        empty_db = self.path("empty.db")
        sqlite3.connect(empty_db).execute("CREATE TABLE t (x)").connection.commit()
        self.assertIn("is not a Coffer store (it has no schema_migrations table)",
                      self.refused(empty_db, self.path("r2")))
        self.assertIn("cannot read", self.refused(self.path("missing"), self.path("r3")))
        self.assertFalse(os.path.exists(self.path("r1")))

    def test_unknown_schema_version(self):
        newer = self.path("newer.db")
        shutil.copy(self.out, newer)
        con = sqlite3.connect(newer)
        con.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
        con.commit()
        con.close()
        self.assertIn("has schema version 999, which this coffer binary does not know",
                      self.refused(newer, self.path("r")))

    def test_non_empty_dir_unless_forced(self):
        target = self.path("full")
        os.mkdir(target, 0o700)
        with open(os.path.join(target, "notes.txt"), "w") as f:
            f.write("x")
        self.assertIn("is not empty (it holds notes.txt)", self.refused(self.out, target))
        self.assertFalse(os.path.exists(os.path.join(target, "coffer.db")))
        self.restore(self.out, target, "--force")
        # A master.key alone does not make a directory non-empty.
        keyed = self.path("keyed")
        os.mkdir(keyed, 0o700)
        shutil.copy(os.path.join(self.a.data_dir, "master.key"), keyed)
        r = self.restore(self.out, keyed)
        self.assertIn("Check that", r.stdout)
        r = coffer("verify", "--data-dir", keyed)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_stopped_servers_dir_unless_forced_and_a_live_one(self):
        self.assertIn(f"{self.a.data_dir}/coffer.db is in use (is a coffer server running on",
                      self.refused(self.out, self.a.data_dir))
        self.assertEqual(self.names(self.a), ["alpha"])  # the live server is untouched
        self.create(self.a, "beta")
        self.a.stop()
        self.assertIn("is not empty", self.refused(self.out, self.a.data_dir))
        self.restore(self.out, self.a.data_dir, "--force")
        self.assertFalse(os.path.exists(os.path.join(self.a.data_dir, "coffer.db-wal")))
        b = self.server(data_dir=self.a.data_dir, expect_token=False)
        self.assertEqual(self.names(b, self.a.token), ["alpha"])  # beta came after the backup

    def test_group_writable_dir(self):
        target = self.path("wide")
        os.mkdir(target)
        os.chmod(target, 0o777)
        self.assertIn("is writable by group or others", self.refused(self.out, target))


if __name__ == "__main__":
    unittest.main()
