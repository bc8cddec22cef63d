// Fuzz target: arbitrary bytes as one TCP stream into the RPC record reassembly, and each record
// through the program table with an NFSv4 COMPOUND decoder behind it. Any crash, leak or
// undefined behaviour is a bug; every input must end in a reply, an ignore or a close.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/program_table.h"
#include "rpc/record_marking.h"
#include "xdr/nfs4_prot.h"
#include "xdr/xdr_mem.h"

namespace {

const efs::rpc::ProgramTable& Table() {
  static efs::rpc::ProgramTable* table = [] {
    auto* t = new efs::rpc::ProgramTable();
    // NFSv4 (program 100003, version 4): procedure 1 is COMPOUND. Decode, and answer with a
    // COMPOUND4res that echoes the tag, as the real server starts to.
    t->Register(100003, 4,
                {nullptr, [](const efs::rpc::CallContext&, XDR* args, std::string* reply) {
                   auto decoded = efs::xdr::DecodeFrom(xdr_COMPOUND4args, args);
                   if (!decoded.ok()) return decoded.status();
                   COMPOUND4res res{};
                   res.status = NFS4_OK;
                   res.tag = (*decoded)->tag;
                   return efs::xdr::EncodeAppend(xdr_COMPOUND4res, res, reply);
                 }});
    return t;
  }();
  return *table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  efs::rpc::RecordReader reader(efs::rpc::kDefaultMaxRecordSize);
  efs::rpc::ConnectionInfo info;
  std::vector<std::string> records;
  // Fed in two pieces, as TCP may split it anywhere.
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t cut = size ? data[0] % (size + 1) : 0;
  if (!reader.Feed(bytes.substr(0, cut), &records).ok()) return 0;
  efs::Status fed = reader.Feed(bytes.substr(cut), &records);
  for (const std::string& record : records) {
    efs::rpc::CallOutcome outcome = Table().Execute(record, info, nullptr);
    if (outcome.kind == efs::rpc::CallOutcome::kClose) break;
  }
  (void)fed;
  (void)reader.Finish();
  return 0;
}
