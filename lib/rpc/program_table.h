// ProgramTable: which RPC programs, versions and procedures this server answers, and the whole
// path of one call record from header to reply record.
//
// The handler contract (what the NFS layer implements)
// ----------------------------------------------------
//   Status Handler(const CallContext& ctx, XDR* args, std::string* reply);
//
// - `args` is a decoding xdrmem stream over the call record, positioned at the procedure's
//   arguments. Decode them with the rpcgen routine, e.g.
//     EFS_ASSIGN_OR_RETURN(auto a, efs::xdr::DecodeFrom(xdr_COMPOUND4args, args));
//   Trailing bytes after the arguments are not an error (RFC 5531 leaves them undefined).
// - `reply` already holds the record mark and the accepted SUCCESS reply header. Append the
//   XDR-encoded results, e.g. efs::xdr::EncodeAppend(xdr_COMPOUND4res, res, reply). Append
//   only; never touch what is there.
// - Return ok for SUCCESS. Return kInvalidArgument when the arguments do not decode
//   (DecodeFrom's error): the caller gets GARBAGE_ARGS. Any other error is SYSTEM_ERR. On error
//   whatever was appended to `reply` is discarded.
// - Handlers run on the server's worker threads, many at once, also for one connection; they
//   must not block for long on anything but the file system. ctx is valid during the call only.
// - A handler whose answer must wait (NFS: a change waiting for its disk sync) may answer late
//   instead of holding its thread: where ctx.answer_later is set, it calls it, appends nothing
//   and returns Ok; the LateReply it got sends the reply, once, from any thread. The call
//   counts as in flight on its connection until then.
//
// Dispatch (RFC 5531 s9): RPC version other than 2 -> RPC_MISMATCH; credential not AUTH_NONE or
// AUTH_SYS -> AUTH_ERROR (auth_sys.h); unknown program -> PROG_UNAVAIL (so efs-utils' program
// 400123 falls back); known program, unknown version -> PROG_MISMATCH(lowest, highest);
// unknown procedure -> PROC_UNAVAIL; procedure 0 without a handler -> an empty SUCCESS (NULL).
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "rpc/auth_sys.h"
#include "rpc/message.h"

namespace efs::rpc {

class Connection;

// Where a connection came from; fixed for its lifetime.
struct ConnectionInfo {
  std::string mount_target_id;
  sockaddr_in peer{};
};

// Sends the SUCCESS reply of a call answered late, with `results` (the procedure's encoded
// results). Callable from any thread, once.
using LateReply = std::function<void(std::string_view results)>;

struct CallContext {
  const CallHeader& header;
  const Credentials& cred;
  const ConnectionInfo& info;
  // The connection the call came on, e.g. for the NFSv4.1 back channel (Connection::Send).
  // Null when a call is executed without one (unit tests).
  Connection* connection;
  // Set where the call may be answered late (see the contract above); empty when the reply
  // must be appended before the handler returns (unit tests, ProgramTable::Execute without
  // `send_later`).
  std::function<LateReply()> answer_later = nullptr;
};

// Sends a reply record (record mark included) for a call answered late, and finishes the call.
using SendRecord = std::function<void(std::string record)>;
// Called once, when a handler takes to answering late: where its reply is to go.
using SendLater = std::function<SendRecord()>;

using RpcHandler = std::function<Status(const CallContext& ctx, XDR* args, std::string* reply)>;

// What to do with one record.
struct CallOutcome {
  enum Kind {
    kReply,   // send `reply`, a complete record (record mark included)
    kIgnore,  // nothing to send (a REPLY message: the back channel will route these)
    kClose,   // the record is not RPC: close the connection
    kLater,   // the handler answers late: `send_later`'s SendRecord gets the reply
  };
  Kind kind = kIgnore;
  std::string reply;
};

class ProgramTable {
 public:
  // Adds version `vers` of program `prog`; procs[i] handles procedure i, and a null entry is
  // PROC_UNAVAIL (except 0, which is then NULL). REQUIRES: not yet registered; called before
  // any Execute (registration is not thread-safe, Execute is).
  void Register(uint32_t prog, uint32_t vers, std::vector<RpcHandler> procs);

  // Executes the call in `record` (one whole RPC message) and says what to answer. With
  // `send_later`, handlers may answer late (kLater): the reply then goes where it says.
  CallOutcome Execute(std::string_view record, const ConnectionInfo& info, Connection* connection,
                      const SendLater& send_later = nullptr) const;

 private:
  // Answers a call whose header decoded: authentication, then dispatch.
  CallOutcome Dispatch(const CallHeader& header, XDR* args, const ConnectionInfo& info,
                       Connection* connection, const SendLater& send_later) const;
  // Runs `handler` and turns its Status into the reply record (or kLater).
  static CallOutcome RunHandler(const RpcHandler& handler, CallContext ctx, XDR* args,
                                const SendLater& send_later);

  // (prog, vers) -> procedures.
  std::map<std::pair<uint32_t, uint32_t>, std::vector<RpcHandler>> programs_;
};

}  // namespace efs::rpc
