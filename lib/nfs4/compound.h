// Compound(): runs the ops of one COMPOUND in order with the cross-cutting checks done once
// (RFC 5661 s2.10, s15.2, s16.2.3, s18.46), and produces the encoded COMPOUND4res.
#pragma once

#include <string>

#include "nfs4/compound_state.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

// Runs `args` against `cs` and returns the XDR encoding of the COMPOUND4res. Processing stops
// at the first op that fails. A retransmission SEQUENCE recognises returns the cached reply
// byte for byte; otherwise the reply is kept in the slot when SEQUENCE asked for it.
std::string Compound(CompoundState& cs, const COMPOUND4args& args);

}  // namespace efs::nfs4
