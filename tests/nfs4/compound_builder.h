// The COMPOUND builder lives in lib/nfs4client (the client sends what it builds); the server
// tests, the e2e tests and the benchmarks use it under its old name.
#pragma once

#include "nfs4client/compound_builder.h"

namespace efs::nfs4::testing {

using nfs4client::Bitmap;
using nfs4client::CompoundBuilder;
using nfs4client::Fattr;
using nfs4client::ModeAttr;
using nfs4client::XdrString;
using nfs4client::XdrU32;
using nfs4client::XdrU64;

}  // namespace efs::nfs4::testing
