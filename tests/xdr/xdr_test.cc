// Golden-byte round trips of the rpcgen'd NFSv4.1 types, and clean failure on bad input.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "xdr/xdr_mem.h"
#include "xdr/xdr_owned.h"

namespace efs::xdr {
namespace {

// Bytes from a list of big-endian 32-bit words.
std::string Words(std::initializer_list<uint32_t> words) {
  std::string out;
  for (uint32_t w : words) {
    out.push_back(static_cast<char>(w >> 24));
    out.push_back(static_cast<char>(w >> 16));
    out.push_back(static_cast<char>(w >> 8));
    out.push_back(static_cast<char>(w));
  }
  return out;
}

TEST(Xdr, Utf8StringIsPaddedToFourBytes) {
  char text[] = "abcde";
  utf8str_cs tag{5, text};
  auto bytes = Encode(xdr_utf8str_cs, tag);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, Words({5}) + std::string("abcde\0\0\0", 8));

  auto back = Decode(xdr_utf8str_cs, *bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string((*back)->utf8string_val, (*back)->utf8string_len), "abcde");
}

TEST(Xdr, GetattrBitmapEncodesCountThenWords) {
  uint32_t words[] = {0x00000012, 0x00000002};  // type|size, mode
  GETATTR4args args{};
  args.attr_request = {2, words};
  auto bytes = Encode(xdr_GETATTR4args, args);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, Words({2, 0x12, 0x2}));

  auto back = Decode(xdr_GETATTR4args, *bytes);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ((*back)->attr_request.bitmap4_len, 2u);
  EXPECT_EQ((*back)->attr_request.bitmap4_val[1], 2u);
}

// SEQUENCE, PUTROOTFH, GETATTR: the shape of most NFSv4.1 compounds.
std::string CompoundGolden() {
  std::string session;
  for (int i = 1; i <= 16; ++i) session.push_back(static_cast<char>(i));
  return Words({0, 1, 3, 53}) + session + Words({7, 0, 0, 0}) + Words({24}) +
         Words({9, 2, 0x12, 0x2});
}

TEST(Xdr, CompoundSequencePutrootfhGetattrMatchesGoldenBytes) {
  nfs_argop4 ops[3] = {};
  ops[0].argop = OP_SEQUENCE;
  SEQUENCE4args& seq = ops[0].nfs_argop4_u.opsequence;
  for (int i = 0; i < 16; ++i) seq.sa_sessionid[i] = static_cast<char>(i + 1);
  seq.sa_sequenceid = 7;
  ops[1].argop = OP_PUTROOTFH;
  ops[2].argop = OP_GETATTR;
  uint32_t words[] = {0x12, 0x2};
  ops[2].nfs_argop4_u.opgetattr.attr_request = {2, words};
  COMPOUND4args args{};
  args.minorversion = 1;
  args.argarray = {3, ops};

  auto bytes = Encode(xdr_COMPOUND4args, args);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, CompoundGolden());
  EXPECT_EQ(EncodedSize(xdr_COMPOUND4args, args), bytes->size());

  auto back = Decode(xdr_COMPOUND4args, CompoundGolden());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ((*back)->argarray.argarray_len, 3u);
  EXPECT_EQ((*back)->argarray.argarray_val[0].argop, OP_SEQUENCE);
  EXPECT_EQ((*back)->argarray.argarray_val[0].nfs_argop4_u.opsequence.sa_sequenceid, 7u);
  EXPECT_EQ((*back)->argarray.argarray_val[2].nfs_argop4_u.opgetattr.attr_request.bitmap4_val[0],
            0x12u);
}

TEST(Xdr, ExchangeIdMatchesGoldenBytes) {
  EXCHANGE_ID4args args{};
  std::memcpy(args.eia_clientowner.co_verifier, "\1\2\3\4\5\6\7\10", 8);
  char owner[] = "linux";
  args.eia_clientowner.co_ownerid = {5, owner};
  args.eia_flags = 0x1;
  args.eia_state_protect.spa_how = SP4_NONE;
  std::string golden = std::string("\1\2\3\4\5\6\7\10", 8) + Words({5}) +
                       std::string("linux\0\0\0", 8) + Words({1, 0, 0});

  auto bytes = Encode(xdr_EXCHANGE_ID4args, args);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, golden);
  auto back = Decode(xdr_EXCHANGE_ID4args, golden);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string((*back)->eia_clientowner.co_ownerid.co_ownerid_val, 5), "linux");
  EXPECT_EQ((*back)->eia_client_impl_id.eia_client_impl_id_len, 0u);
}

TEST(Xdr, NfsV40OperationsAreInTheArgUnion) {
  nfs_argop4 op{};
  op.argop = OP_RENEW;
  op.nfs_argop4_u.oprenew.clientid = 0x0102030405060708ull;
  auto bytes = Encode(xdr_nfs_argop4, op);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, Words({30, 0x01020304, 0x05060708}));
}

TEST(Xdr, EveryTruncationOfACompoundFailsToDecode) {
  std::string golden = CompoundGolden();
  for (size_t n = 0; n < golden.size(); ++n) {
    auto r = Decode(xdr_COMPOUND4args, golden.substr(0, n));
    EXPECT_FALSE(r.ok()) << "length " << n;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(Xdr, TrailingBytesFailDecode) {
  EXPECT_FALSE(Decode(xdr_COMPOUND4args, CompoundGolden() + Words({0})).ok());
}

TEST(Xdr, InputOverTheLimitIsRefused) {
  auto r = Decode(xdr_COMPOUND4args, CompoundGolden(), /*max_size=*/16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
}

TEST(Xdr, HugeCountsFailWithoutAllocatingThem) {
  // 2^30 ops, a 4 GiB opaque and an unknown op number: each fails at once.
  EXPECT_FALSE(Decode(xdr_COMPOUND4args, Words({0, 1, 0x40000000, 24, 24})).ok());
  EXPECT_FALSE(Decode(xdr_COMPOUND4args, Words({0xffffffff, 1, 0})).ok());
  EXPECT_FALSE(Decode(xdr_COMPOUND4args, Words({0, 1, 1, 99999})).ok());
}

TEST(Xdr, GarbageNeverDecodesIntoAnythingLeaky) {
  uint32_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes;
    size_t len = 4 * (state % 24);
    for (size_t j = 0; j < len; ++j) {
      state = state * 1103515245 + 12345;
      bytes.push_back(static_cast<char>(state >> 16));
    }
    if (i % 2 == 0 && len >= 12) bytes.replace(8, 4, Words({state % 5}));  // small counts
    auto r = Decode(xdr_COMPOUND4args, bytes);  // ok or not; must not crash or leak
    (void)r;
  }
}

// RFC 4506 s4.3: an enum is any 32-bit integer on the wire, and the decoders store what they
// read; found by fuzz/nfs4client_reply_fuzz.cc and nfs4_args_fuzz.cc under UBSan.
TEST(Xdr, EnumsHoldEveryValueTheWireCarries) {
  static_assert(std::is_same_v<std::underlying_type_t<nfsstat4>, unsigned>);
  static_assert(std::is_same_v<std::underlying_type_t<opentype4>, unsigned>);
  auto res = Decode(xdr_COMPOUND4res, Words({99999, 0, 0}));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(static_cast<uint32_t>((*res)->status), 99999u);
}

TEST(XdrOwned, MovesKeepTheValueAndFreeOnce) {
  auto decoded = Decode(xdr_COMPOUND4args, CompoundGolden());
  ASSERT_TRUE(decoded.ok());
  XdrOwned<COMPOUND4args> a = std::move(decoded).value();
  COMPOUND4args* p = a.get();
  XdrOwned<COMPOUND4args> b(std::move(a));
  EXPECT_EQ(b.get(), p);
  XdrOwned<COMPOUND4args> c(xdr_COMPOUND4args);
  c = std::move(b);
  EXPECT_EQ(c->argarray.argarray_len, 3u);
}

TEST(Xdr, DecodeFromLeavesTheStreamAfterTheValue) {
  std::string bytes = Words({2, 0x12, 0x2}) + Words({0xabcdef});
  XDR xdrs;
  xdrmem_create(&xdrs, bytes.data(), static_cast<u_int>(bytes.size()), XDR_DECODE);
  auto args = DecodeFrom(xdr_GETATTR4args, &xdrs);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(xdr_getpos(&xdrs), 12u);
  xdr_destroy(&xdrs);
}

}  // namespace
}  // namespace efs::xdr
