// Decoding a COMPOUND's arguments from the call record: the one decoder the server runs on
// every NFSv4.0 and 4.1 request (Nfs4Server::HandleCompound), and what the fuzz target
// fuzz/nfs4_args_fuzz.cc feeds arbitrary bytes to.
#pragma once

#include <vector>

#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

// The WRITEs whose data DecodeCompoundArgs lent from the input: takes the loans back before
// xdr_free, which would free() them. Destroy it before the args' XdrOwned.
class LentWrites {
 public:
  explicit LentWrites(COMPOUND4args* args) : args_(args) {}
  ~LentWrites();
  LentWrites(const LentWrites&) = delete;
  LentWrites& operator=(const LentWrites&) = delete;
  void Lent(u_int i) { lent_.push_back(i); }

 private:
  COMPOUND4args* const args_;
  std::vector<u_int> lent_;  // indexes into argarray
};

// xdr_COMPOUND4args, except that
//  - an op number the protocol does not have ends the array with an OP_ILLEGAL op instead of
//    failing: RFC 5661 s15.2 answers it NFS4ERR_OP_ILLEGAL after running the ops before it
//    (its arguments, and everything after, cannot be parsed);
//  - a WRITE's data is left where it is in the input (xdrs's buffer, which must outlive
//    *args) and recorded in *lent, instead of copied out.
// Returns false for input that does not decode; *args is then for xdr_free only.
bool DecodeCompoundArgs(XDR* xdrs, COMPOUND4args* args, LentWrites* lent);

}  // namespace efs::nfs4
