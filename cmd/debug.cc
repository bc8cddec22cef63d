// efs debug: efsd's own actions for tests and demonstrations. advance-clock: AdvanceClock;
// run-lifecycle: RunLifecyclePass; set-burst-credits: SetBurstCreditBalance; fail-az and
// restore-az: FailAvailabilityZone and RestoreAvailabilityZone.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

// require_subcommand(1) makes CLI11 refuse `efs debug` alone.
struct Debug final : Command {
  int days = 0;
  int hours = 0;
  api::RunLifecyclePassRequest pass;
  CLI::App* run_lifecycle = nullptr;
  api::SetBurstCreditBalanceRequest credits;
  CLI::App* set_burst_credits = nullptr;
  api::AvailabilityZoneRequest zone;
  CLI::App* fail_az = nullptr;
  CLI::App* restore_az = nullptr;

  void Setup(CLI::App& app) override {
    app.require_subcommand(1);
    CLI::App* advance_clock = app.add_subcommand(
        "advance-clock", "move the clock of an efsd started with --test-clock ahead");
    advance_clock->add_option("--days", days, "days ahead")
        ->check(CLI::Range(0, 3650))
        ->type_name("N");
    advance_clock->add_option("--hours", hours, "hours ahead")
        ->check(CLI::Range(0, 87600))
        ->type_name("N");
    run_lifecycle = app.add_subcommand(
        "run-lifecycle", "move a file system's idle files to their storage class now");
    run_lifecycle->add_option("--file-system-id", pass.file_system_id, "the file system")
        ->required()
        ->type_name("ID");
    set_burst_credits = app.add_subcommand("set-burst-credits",
                                           "set a bursting file system's burst credit balance");
    set_burst_credits->add_option("--file-system-id", credits.file_system_id, "the file system")
        ->required()
        ->type_name("ID");
    set_burst_credits
        ->add_option("--bytes", credits.burst_credit_balance, "the new balance, in bytes")
        ->required()
        ->check(CLI::NonNegativeNumber)
        ->type_name("N");
    fail_az = AddZoneCommand(app, "fail-az", "take an availability zone's network down");
    restore_az = AddZoneCommand(app, "restore-az", "bring a failed availability zone back");
  }

  CLI::App* AddZoneCommand(CLI::App& app, const std::string& name, const std::string& summary) {
    CLI::App* sub = app.add_subcommand(name, summary);
    sub->add_option("--availability-zone-name", zone.availability_zone_name,
                    "the zone, e.g. local-1a")
        ->required()
        ->type_name("AZ");
    return sub;
  }

  Status Run(Context& ctx) override {
    if (fail_az->parsed() || restore_az->parsed()) {
      const char* action = fail_az->parsed() ? "FailAvailabilityZone" : "RestoreAvailabilityZone";
      EFS_ASSIGN_OR_RETURN(Json result, ctx.Send(action, zone));
      ctx.Print(result);
      return Status::Ok();
    }
    if (run_lifecycle->parsed()) {
      EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("RunLifecyclePass", pass));
      ctx.Print(result);
      return Status::Ok();
    }
    if (set_burst_credits->parsed()) {
      EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("SetBurstCreditBalance", credits));
      ctx.Print(result);
      return Status::Ok();
    }
    if (days == 0 && hours == 0) {
      return UsageError("advance-clock: say how far with --days N, --hours N or both");
    }
    api::AdvanceClockRequest request;
    request.seconds = days * 86400.0 + hours * 3600.0;
    EFS_ASSIGN_OR_RETURN(Json result, ctx.Send("AdvanceClock", request));
    ctx.Print(result);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Command> NewDebug() { return std::make_unique<Debug>(); }

}  // namespace efs::cli
