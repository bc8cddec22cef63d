// WireClient (see wire_client.h).
#include "tests/e2e/wire_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "xdr/xdr_mem.h"

namespace efs::e2e {
namespace {

using nfs4::testing::CompoundBuilder;

std::string Word(uint32_t v) {
  uint32_t n = htonl(v);
  return std::string(reinterpret_cast<const char*>(&n), 4);
}
uint32_t TakeWord(std::string_view* s) {
  uint32_t n = 0;
  if (s->size() >= 4) std::memcpy(&n, s->data(), 4);
  s->remove_prefix(std::min<size_t>(4, s->size()));
  return ntohl(n);
}

}  // namespace

bool WireClient::Connect(const std::string& ip, int port) {
  fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  timeval tv{5, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

std::optional<std::pair<uint32_t, std::string>> WireClient::Call(uint32_t prog, uint32_t vers,
                                                                 uint32_t proc,
                                                                 const std::string& args) {
  std::string machine = "e2e";
  // AUTH_SYS body (RFC 5531 appendix A): stamp, machine name, uid 0, gid 0, no groups.
  std::string cred = Word(0) + Word(static_cast<uint32_t>(machine.size())) + machine +
                     std::string((4 - machine.size() % 4) % 4, '\0') + Word(0) + Word(0) +
                     Word(0);
  std::string msg = Word(++xid_) + Word(0) + Word(2) + Word(prog) + Word(vers) + Word(proc) +
                    Word(1) + Word(static_cast<uint32_t>(cred.size())) + cred + Word(0) +
                    Word(0) + args;
  std::string record = Word(0x80000000u | static_cast<uint32_t>(msg.size())) + msg;
  if (::send(fd_.get(), record.data(), record.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(record.size())) {
    return std::nullopt;
  }
  std::string reply;
  for (bool last = false; !last;) {
    std::string mark;
    if (!ReadExactly(4, &mark)) return std::nullopt;
    std::string_view m = mark;
    uint32_t header = TakeWord(&m);
    last = header & 0x80000000u;
    if (!ReadExactly(header & 0x7fffffffu, &reply)) return std::nullopt;
  }
  std::string_view r = reply;
  if (TakeWord(&r) != xid_ || TakeWord(&r) != 1 || TakeWord(&r) != 0) return std::nullopt;
  TakeWord(&r);                               // verifier flavor
  r.remove_prefix((TakeWord(&r) + 3) & ~3u);  // verifier body
  uint32_t accept = TakeWord(&r);
  return std::make_pair(accept, std::string(r));
}

std::optional<xdr::XdrOwned<COMPOUND4res>> WireClient::Compound(CompoundBuilder& b) {
  auto reply = Call(100003, 4, 1, b.Encode());
  if (!reply || reply->first != 0) return std::nullopt;
  auto decoded = xdr::Decode(xdr_COMPOUND4res, reply->second);
  if (!decoded.ok()) return std::nullopt;
  return std::move(decoded).value();
}

bool WireClient::StartSession(const std::string& owner) {
  CompoundBuilder x;
  x.ExchangeId(owner);
  auto rx = Compound(x);
  if (!rx || (*rx)->status != NFS4_OK) return false;
  const auto& eir =
      (*rx)->resarray.resarray_val[0].nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
  CompoundBuilder c;
  c.CreateSession(eir.eir_clientid, eir.eir_sequenceid);
  auto rc = Compound(c);
  if (!rc || (*rc)->status != NFS4_OK) return false;
  std::memcpy(session_,
              (*rc)->resarray.resarray_val[0].nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u
                  .csr_resok4.csr_sessionid,
              NFS4_SESSIONID_SIZE);
  return true;
}

CompoundBuilder WireClient::Seq(bool cache) {
  CompoundBuilder b;
  b.Sequence(session_, ++seqid_, 0, cache);
  return b;
}

CompoundBuilder WireClient::Retransmission() {
  CompoundBuilder b;
  b.Sequence(session_, seqid_, 0, true);
  return b;
}

bool WireClient::ReadExactly(size_t n, std::string* out) {
  char buf[65536];
  while (n > 0) {
    ssize_t got = ::read(fd_.get(), buf, std::min(n, sizeof buf));
    if (got <= 0) return false;
    out->append(buf, static_cast<size_t>(got));
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace efs::e2e
