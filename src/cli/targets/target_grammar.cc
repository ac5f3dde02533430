#include "cli/targets/target_grammar.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/targets/target_commands.h"

namespace coffer::cli {
namespace {

// The NAME and -p / -i of a target command, and the cordon flags of `edit dt`.
struct TargetRef {
  std::string name;
  PlaceFlags place;
  bool activate = false;
  bool deactivate = false;
  bool history = false;
  TargetHistoryFlags history_flags;
};

// -p / -i on a deployment target command.
void AddTargetPlace(CLI::App* cmd, PlaceFlags* p) {
  cmd->add_option("-p,--project-name", p->project_name, "the target's project (by name)");
  cmd->add_option("-i,--project-id", p->project_id, "the target's project (by id)");
}

CLI::App* AddTarget(CLI::App* verb, const char* help) {
  CLI::App* cmd = verb->add_subcommand("deployment_target", help);
  for (const char* a :
       {"dt", "dts", "deployment_targets", "deployment-target", "deployment-targets"}) {
    cmd->alias(a);
  }
  return cmd;
}

}  // namespace

void AddCreateTarget(CLI::App* create, Grammar* grammar) {
  auto f = std::make_shared<CreateTargetFlags>();
  CLI::App* cmd =
      AddTarget(create, "create a deployment target (alias dt) with credentials and rules");
  cmd->add_option("name", f->name, "target name")->required();
  cmd->add_option("-e,--env", f->env, "credential env var NAME=VALUE")->allow_extra_args(false);
  cmd->add_option("-f,--file", f->files, "credential file LOCAL_PATH:REMOTE_PATH")
      ->allow_extra_args(false);
  cmd->add_option("-s,--subject_rules", f->subject_rules,
                  "who may promote: ANY, AUTO, USER,<user id> or ROLE,<role> (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-o,--object_rules", f->object_rules,
                  "which refs: TYPE,MODE[,PATTERN] with TYPE BRANCH, TAG or PR and MODE ALL, "
                  "EXACT or REGEX (repeatable); quote it, e.g. -o 'BRANCH,REGEX,main|release-.*'")
      ->allow_extra_args(false);
  cmd->add_option("-b,--bookmark", f->bookmarks, "bookmark parameter (up to 3)")
      ->allow_extra_args(false);
  cmd->add_option("-d,--desc", f->description, "description");
  cmd->add_option("-u,--url", f->url, "URL of the environment");
  AddTargetPlace(cmd, &f->place);
  grammar->On(cmd, [grammar, f] { return CreateTarget(grammar->global(), *f); });
  grammar->AtExit([f] { WipeStrings(f->env); });
}

void AddGetTarget(CLI::App* get, Grammar* grammar) {
  auto r = std::make_shared<TargetRef>();
  CLI::App* cmd = AddTarget(get, "list a project's deployment targets (alias dt), or show one");
  cmd->add_option("name", r->name, "target name or id");
  AddTargetPlace(cmd, &r->place);
  TargetHistoryFlags* h = &r->history_flags;
  cmd->add_flag("--history", r->history, "the deployments to the target, newest first");
  cmd->add_option("--after", h->after,
                  "with --history: the page older than this (unix microseconds)");
  cmd->add_option("--before", h->before,
                  "with --history: the page newer than this (unix microseconds)");
  cmd->add_option("--git-ref-type", h->git_ref_type, "with --history: branch, tag or pr only");
  cmd->add_option("--git-ref-label", h->git_ref_label, "with --history: this branch, tag or PR");
  cmd->add_option("--triggered-by", h->triggered_by, "with --history: this user id, or AUTO");
  grammar->On(cmd, [grammar, r] {
    const TargetHistoryFlags& f = r->history_flags;
    if (!r->history && (!f.after.empty() || !f.before.empty() || !f.git_ref_type.empty() ||
                        !f.git_ref_label.empty() || !f.triggered_by.empty())) {
      return Status::InvalidArgument("--after, --before and the filters go with --history");
    }
    if (r->history) {
      if (r->name.empty()) return Status::InvalidArgument("--history needs the target's name");
      return GetTargetHistory(grammar->global(), r->place, r->name, f);
    }
    return r->name.empty() ? GetTargets(grammar->global(), r->place)
                           : GetTarget(grammar->global(), r->place, r->name);
  });
}

void AddEditTarget(CLI::App* edit, Grammar* grammar) {
  auto r = std::make_shared<TargetRef>();
  CLI::App* cmd = AddTarget(edit, "edit a deployment target (alias dt) in place, or (un)cordon it");
  cmd->add_option("name", r->name, "target name or id")->required();
  cmd->add_flag("-a,--activate", r->activate, "lift the cordon: jobs may use the target");
  cmd->add_flag("-d,--deactivate", r->deactivate, "cordon: no job may use the target");
  AddTargetPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] {
    if (r->activate && r->deactivate) {
      return Status::InvalidArgument("give --activate or --deactivate, not both");
    }
    if (r->activate || r->deactivate) {
      return SetTargetActive(grammar->global(), r->place, r->name, r->activate);
    }
    return EditTarget(grammar->global(), r->place, r->name);
  });
}

void AddDeleteTarget(CLI::App* del, Grammar* grammar) {
  auto r = std::make_shared<TargetRef>();
  CLI::App* cmd = AddTarget(del, "delete a deployment target (alias dt)");
  cmd->add_option("name", r->name, "target name or id")->required();
  AddTargetPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] { return DeleteTarget(grammar->global(), r->place, r->name); });
}

}  // namespace coffer::cli
