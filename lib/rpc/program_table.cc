// ProgramTable: from one call record to its reply record (see program_table.h).
#include "rpc/program_table.h"

#include "base/check.h"
#include "base/log.h"
#include "rpc/record_marking.h"

namespace efs::rpc {
namespace {

// Frames a reply body as a record.
CallOutcome Reply(std::string_view body) {
  CallOutcome out;
  out.kind = CallOutcome::kReply;
  AppendRecord(body, &out.reply);
  return out;
}

}  // namespace

void ProgramTable::Register(uint32_t prog, uint32_t vers, std::vector<RpcHandler> procs) {
  EFS_CHECK(programs_.find({prog, vers}) == programs_.end());
  programs_[{prog, vers}] = std::move(procs);
}

CallOutcome ProgramTable::Execute(std::string_view record, const ConnectionInfo& info,
                                  Connection* connection, const SendLater& send_later) const {
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(record.data()), static_cast<u_int>(record.size()),
                XDR_DECODE);
  CallHeader header;
  CallOutcome out;
  switch (DecodeCallHeader(&xdrs, &header)) {
    case HeaderStatus::kOk:
      out = Dispatch(header, &xdrs, info, connection, send_later);
      break;
    case HeaderStatus::kNotCall:
      out.kind = CallOutcome::kIgnore;
      break;
    case HeaderStatus::kRpcMismatch:
      out = Reply(RpcMismatchReply(header.xid));
      break;
    case HeaderStatus::kBadAuth:
      out = Reply(AuthErrorReply(header.xid, AuthStat::kBadCred));
      break;
    case HeaderStatus::kGarbage:
      out.kind = CallOutcome::kClose;
      break;
  }
  xdr_destroy(&xdrs);
  return out;
}

CallOutcome ProgramTable::Dispatch(const CallHeader& header, XDR* args, const ConnectionInfo& info,
                                   Connection* connection, const SendLater& send_later) const {
  Credentials cred;
  AuthStat auth = ParseCredentials(header.cred, &cred);
  if (auth != AuthStat::kOk) return Reply(AuthErrorReply(header.xid, auth));

  auto it = programs_.find({header.prog, header.vers});
  if (it == programs_.end()) {
    // RFC 5531 s9: PROG_MISMATCH names the versions we have, PROG_UNAVAIL says we have none.
    auto first = programs_.lower_bound({header.prog, 0});
    if (first == programs_.end() || first->first.first != header.prog) {
      return Reply(AcceptedReply(header.xid, AcceptStat::kProgUnavail));
    }
    auto last = programs_.upper_bound({header.prog, UINT32_MAX});
    --last;
    return Reply(ProgMismatchReply(header.xid, first->first.second, last->first.second));
  }
  const std::vector<RpcHandler>& procs = it->second;
  const RpcHandler* handler = header.proc < procs.size() ? &procs[header.proc] : nullptr;
  if (handler == nullptr || !*handler) {
    if (header.proc == 0) return Reply(AcceptedReply(header.xid, AcceptStat::kSuccess));
    return Reply(AcceptedReply(header.xid, AcceptStat::kProcUnavail));
  }
  return RunHandler(*handler, CallContext{header, cred, info, connection}, args, send_later);
}

CallOutcome ProgramTable::RunHandler(const RpcHandler& handler, CallContext ctx, XDR* args,
                                     const SendLater& send_later) {
  // answer_later captures one pointer, so that std::function keeps it in place: a call that
  // answers on return (nearly every one) allocates nothing for the chance to answer late.
  struct Late {
    const SendLater* send_later;
    uint32_t xid;
    bool taken = false;
  } late{&send_later, ctx.header.xid};
  if (send_later) {
    ctx.answer_later = [state = &late]() -> LateReply {
      EFS_CHECK(!state->taken);
      state->taken = true;
      return [xid = state->xid, send = (*state->send_later)()](std::string_view results) {
        std::string record(4, '\0');
        AppendAcceptedReply(xid, AcceptStat::kSuccess, &record);
        record.append(results);
        FinishRecord(&record);
        send(std::move(record));
      };
    };
  }
  CallOutcome out;
  out.kind = CallOutcome::kReply;
  out.reply.assign(4, '\0');  // the record mark, filled in by FinishRecord
  AppendAcceptedReply(ctx.header.xid, AcceptStat::kSuccess, &out.reply);
  Status s = handler(ctx, args, &out.reply);
  if (late.taken) {
    EFS_CHECK(s.ok());  // the contract: a handler that answers late returns Ok
    out.kind = CallOutcome::kLater;
    out.reply.clear();
    return out;
  }
  if (!s.ok()) {
    AcceptStat stat =
        s.code() == Code::kInvalidArgument ? AcceptStat::kGarbageArgs : AcceptStat::kSystemErr;
    if (stat == AcceptStat::kSystemErr) {
      EFS_LOG(kWarn) << "rpc: program " << ctx.header.prog << " procedure " << ctx.header.proc
                     << ": " << s.ToString();
    }
    out.reply.resize(4);
    AppendAcceptedReply(ctx.header.xid, stat, &out.reply);
  }
  FinishRecord(&out.reply);
  return out;
}

}  // namespace efs::rpc
