// efs debug: efsd's own actions for tests and demonstrations. advance-clock: AdvanceClock.
#include "base/macros.h"
#include "cmd/command.h"
#include "cmd/context.h"
#include "cmd/exit_codes.h"

namespace efs::cli {
namespace {

// One subcommand so far; require_subcommand(1) makes CLI11 refuse `efs debug` alone.
struct Debug final : Command {
  int days = 0;
  int hours = 0;

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
  }

  Status Run(Context& ctx) override {
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
