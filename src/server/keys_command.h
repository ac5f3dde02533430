// `coffer keys`: the keyring of a data directory — status, online rotation, retiring a key,
// and re-wrapping the keyring under a new master key.
//
//   coffer keys status        [--data-dir DIR | --server URL]
//   coffer keys rotate        [--batch-size N] [--pause MS]    (also --data-dir / --server)
//   coffer keys retire ID
//   coffer keys rewrap-master --new-master-key-file F | --new-master-key-env V |
//                             --new-master-key-command C      (--data-dir only)
//
// With --server (and an Owner's token of the first organization in $COFFER_TOKEN, or the
// variable --token-env names) the command goes through the running server's admin API
// (/api/v1alpha/keys): a rotation then runs inside the server, which uses the new key at
// once. Without it the command opens the data directory itself; that is safe while a server
// runs (the store is transactional, and servers pick up a new key within seconds), but a
// rotation through the server is the usual way. rewrap-master always works on the data
// directory, in one transaction; servers must then restart with the new master key.
//
// rotate draws a progress bar on a terminal (stderr) and prints the counts at the end;
// never a key or a value. Exit status 0, or 1 with one "error: ..." line on stderr.
#pragma once

namespace coffer::server {

int KeysCommand(int argc, char** argv);

}  // namespace coffer::server
