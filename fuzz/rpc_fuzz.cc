// Fuzz target: arbitrary bytes as one TCP stream into the RPC record reassembly, and each record
// through the program table into the real NFSv4.0 and 4.1 server (COMPOUND decoding, the op
// table and every handler) over an in-memory file system. Any crash, leak or undefined
// behaviour is a bug; every input must end in a reply, an ignore or a close.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "fs/mem_fs.h"
#include "nfs4/filehandle.h"
#include "nfs4/nfs4_server.h"
#include "rpc/program_table.h"
#include "rpc/record_marking.h"

namespace {

const efs::rpc::ProgramTable& Table() {
  static efs::rpc::ProgramTable* table = [] {
    static efs::FakeClock clock;
    static std::unique_ptr<efs::fs::FileSystem> fs = efs::fs::NewMemFs(&clock);
    static efs::nfs4::Nfs4Server server(
        [](const std::string&) -> std::optional<efs::nfs4::Export> {
          return efs::nfs4::Export{efs::nfs4::ExportIdFor("fs-0123456789abcdef0"), fs.get(), false};
        },
        &clock);
    auto* t = new efs::rpc::ProgramTable();
    server.Register(t);
    return t;
  }();
  return *table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  efs::rpc::RecordReader reader(efs::rpc::kDefaultMaxRecordSize);
  efs::rpc::ConnectionInfo info;
  std::vector<efs::rpc::Record> records;
  // Fed in two pieces, as TCP may split it anywhere.
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t cut = size ? data[0] % (size + 1) : 0;
  if (!reader.Feed(bytes.substr(0, cut), &records).ok()) return 0;
  efs::Status fed = reader.Feed(bytes.substr(cut), &records);
  for (const efs::rpc::Record& record : records) {
    efs::rpc::CallOutcome outcome = Table().Execute(record.view(), info, nullptr);
    if (outcome.kind == efs::rpc::CallOutcome::kClose) break;
  }
  (void)fed;
  (void)reader.Finish();
  return 0;
}
