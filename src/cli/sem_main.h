// SemMain: the `sem` command line, with Semaphore's grammar.
//
//   sem connect HOST TOKEN            sem context [NAME]
//   sem create secret NAME [-e NAME=VALUE]... [-f LOCAL:REMOTE]... [-p PROJECT | -i ID]
//   sem get secret[s] [NAME] [-p PROJECT | -i ID]
//   sem edit secret NAME [-p PROJECT | -i ID]
//   sem delete secret NAME [-p PROJECT | -i ID]
//   sem create -f FILE                sem apply -f FILE
//   sem create project NAME           sem get projects [NAME]     sem delete project NAME
//   sem create dt NAME (-p PROJECT | -i ID) [-e NAME=VALUE]... [-f LOCAL:REMOTE]...
//       [-s TYPE[,ID]]... [-o TYPE,MODE[,PATTERN]]... [-b BOOKMARK]... [-d DESC] [-u URL]
//   sem get dt [NAME] -p PROJECT      sem delete dt NAME -p PROJECT
//   sem edit dt NAME -p PROJECT [--activate | --deactivate]
//
// argv[0] is only the program name shown in help ("sem" or "coffer"). Errors go to stderr
// as "error: ..." and return 1; success returns 0; --help prints help on stdout.
#pragma once

namespace coffer::cli {

int SemMain(int argc, char** argv);

}  // namespace coffer::cli
