// WireClient (see wire_client.h).
#include "tests/e2e/wire_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "xdr/xdr_mem.h"

namespace efs::e2e {
namespace {

using nfs4::testing::CompoundBuilder;

// The largest request and reply the session asks for: 1 MiB of READ or WRITE data and room for
// the rest of the COMPOUND (what efsd grants at most).
constexpr uint32_t kMaxMessage = (1u << 20) + 64 * 1024;

// RFC 5661 s16.2.3.1.2: the stateid the previous op of the COMPOUND produced.
stateid4 CurrentStateid() {
  stateid4 s{};
  s.seqid = 1;
  return s;
}

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

// Writes `head` and then `body` to `fd`, in one system call when the socket takes them whole.
bool SendAll(int fd, std::string_view head, std::string_view body) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  size_t left = head.size() + body.size();
  while (left > 0) {
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    left -= static_cast<size_t>(n);
    for (size_t done = static_cast<size_t>(n); done > 0;) {
      size_t step = std::min(done, msg.msg_iov->iov_len);
      msg.msg_iov->iov_base = static_cast<char*>(msg.msg_iov->iov_base) + step;
      msg.msg_iov->iov_len -= step;
      done -= step;
      if (msg.msg_iov->iov_len == 0 && msg.msg_iovlen > 1) {
        ++msg.msg_iov;
        --msg.msg_iovlen;
      }
    }
  }
  return true;
}

}  // namespace

namespace {

void SetOptions(int fd) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;  // as NFS clients do: a call leaves at once, not when the last reply is acked
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

bool WireClient::Connect(const std::string& ip, int port) {
  fd_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  SetOptions(fd_.get());
  return ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

void WireClient::Adopt(UniqueFd conn) {
  fd_ = std::move(conn);
  ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) & ~O_NONBLOCK);
  SetOptions(fd_.get());
}

std::optional<std::pair<uint32_t, std::string>> WireClient::Call(uint32_t prog, uint32_t vers,
                                                                 uint32_t proc,
                                                                 std::string_view args) {
  std::string reply;
  std::string_view results;
  std::optional<uint32_t> accept = Exchange(prog, vers, proc, args, &reply, &results);
  if (!accept) return std::nullopt;
  return std::make_pair(*accept, std::string(results));
}

std::optional<xdr::XdrOwned<COMPOUND4res>> WireClient::Compound(CompoundBuilder& b) {
  std::string args = b.Encode();
  std::string reply;
  std::string_view results;
  std::optional<uint32_t> accept = Exchange(100003, 4, 1, args, &reply, &results);
  if (!accept || *accept != 0) return std::nullopt;
  auto decoded = xdr::Decode(xdr_COMPOUND4res, results);
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
  clientid_ = eir.eir_clientid;
  CompoundBuilder c;
  c.CreateSession(clientid_, eir.eir_sequenceid, /*max_ops=*/16, /*slots=*/4, kMaxMessage,
                  /*max_cached=*/64 * 1024, kMaxMessage);
  auto rc = Compound(c);
  if (!rc || (*rc)->status != NFS4_OK) return false;
  std::memcpy(session_,
              (*rc)
                  ->resarray.resarray_val[0]
                  .nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u.csr_resok4.csr_sessionid,
              NFS4_SESSIONID_SIZE);
  // As clients do: nothing to reclaim (a restarted efsd waits for no more from this owner).
  CompoundBuilder done = Seq();
  done.ReclaimComplete();
  auto rr = Compound(done);
  return rr && (*rr)->status == NFS4_OK;
}

bool WireClient::EndSession() {
  CompoundBuilder d;
  d.DestroySession(session_);
  auto rd = Compound(d);
  CompoundBuilder c;
  c.DestroyClientid(clientid_);
  auto rc = Compound(c);
  return rd && (*rd)->status == NFS4_OK && rc && (*rc)->status == NFS4_OK;
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

bool WireClient::WriteFile(const std::string& name, std::string_view data, const std::string& dir) {
  CompoundBuilder b = Seq();
  b.PutRootFh();
  if (!dir.empty()) b.Lookup(dir);
  b.Open("writer", name, UNCHECKED4).Write(CurrentStateid(), 0, data, FILE_SYNC4);
  b.Close(CurrentStateid());
  auto r = Compound(b);
  return r && (*r)->status == NFS4_OK;
}

std::optional<std::string> WireClient::ReadFile(const std::string& name) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Open("reader", name, -1, OPEN4_SHARE_ACCESS_READ);
  b.Read(CurrentStateid(), 0, 1 << 20).Close(CurrentStateid());
  auto r = Compound(b);
  if (!r || (*r)->status != NFS4_OK) return std::nullopt;
  const READ4resok& read = (*r)->resarray.resarray_val[3].nfs_resop4_u.opread.READ4res_u.resok4;
  return std::string(read.data.data_val, read.data.data_len);
}

std::optional<uint32_t> WireClient::Exchange(uint32_t prog, uint32_t vers, uint32_t proc,
                                             std::string_view args, std::string* reply,
                                             std::string_view* results) {
  std::string machine = "e2e";
  // AUTH_SYS body (RFC 5531 appendix A): stamp, machine name, uid 0, gid 0, no groups.
  std::string cred = Word(0) + Word(static_cast<uint32_t>(machine.size())) + machine +
                     std::string((4 - machine.size() % 4) % 4, '\0') + Word(0) + Word(0) + Word(0);
  // The record mark (filled in below), the call header and the credential; `args` follows.
  std::string head = Word(0) + Word(++xid_) + Word(0) + Word(2) + Word(prog) + Word(vers) +
                     Word(proc) + Word(1) + Word(static_cast<uint32_t>(cred.size())) + cred +
                     Word(0) + Word(0);
  head.replace(0, 4, Word(0x80000000u | static_cast<uint32_t>(head.size() - 4 + args.size())));
  if (!SendAll(fd_.get(), head, args)) return std::nullopt;
  reply->clear();
  for (bool last = false; !last;) {
    std::string mark;
    if (!ReadExactly(4, &mark)) return std::nullopt;
    std::string_view m = mark;
    uint32_t header = TakeWord(&m);
    last = header & 0x80000000u;
    if (!ReadExactly(header & 0x7fffffffu, reply)) return std::nullopt;
  }
  std::string_view r = *reply;
  if (TakeWord(&r) != xid_ || TakeWord(&r) != 1 || TakeWord(&r) != 0) return std::nullopt;
  TakeWord(&r);                               // verifier flavor
  r.remove_prefix((TakeWord(&r) + 3) & ~3u);  // verifier body
  uint32_t accept = TakeWord(&r);
  *results = r;
  return accept;
}

bool WireClient::ReadExactly(size_t n, std::string* out) {
  size_t at = out->size();
  out->resize(at + n);
  while (n > 0) {
    ssize_t got = ::read(fd_.get(), out->data() + at, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    at += static_cast<size_t>(got);
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace efs::e2e
