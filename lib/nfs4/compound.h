// Compound(): runs the ops of one COMPOUND in order with the cross-cutting checks done once
// (RFC 5661 s2.10, s15.2, s16.2.3, s18.46), and produces the encoded COMPOUND4res.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "nfs4/compound_state.h"
#include "rpc/program_table.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

// Runs `args` against `cs` and returns the XDR encoding of the COMPOUND4res. Processing stops
// at the first op that fails. A retransmission SEQUENCE recognises returns the cached reply
// byte for byte; otherwise the reply is kept in the slot when SEQUENCE asked for it.
//
// Answering late where it helps: given `answer_later` (rpc::CallContext's; may be empty), an
// NFSv4.1 COMPOUND whose changes must reach the disk before the reply does not wait for the
// sync on this thread (fs::DeferDurability): Compound returns nullopt, and the thread that
// completes the sync keeps the reply in the slot and sends it through the LateReply. If the
// sync fails, the reply says so instead: it ends at the first op whose change waited, with
// that op failing as it would have had it waited itself. Until then the slot stays busy, so a
// retransmission is told NFS4ERR_DELAY and never sees an answer the disk has not confirmed.
std::optional<std::string> Compound(CompoundState& cs, const COMPOUND4args& args,
                                    const std::function<rpc::LateReply()>& answer_later);

}  // namespace efs::nfs4
