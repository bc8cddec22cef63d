// The client's fattr4 codec: decoding what GETATTR and READDIR return into Attrs / FsSpace, and
// encoding SetAttrs for SETATTR (RFC 5661 s5.6-5.8 give each attribute's XDR type).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "nfs4client/client.h"
#include "nfs4client/compound_builder.h"

namespace efs::nfs4client {

// Attribute bitmaps the client asks for.
const std::vector<uint32_t>& AttrsMask();       // what Attrs holds (client.h)
const std::vector<uint32_t>& DirEntryMask();    // AttrsMask plus the file handle
const std::vector<uint32_t>& FsSpaceMask();     // space_*, files_*, maxname
const std::vector<uint32_t>& ServerInfoMask();  // lease_time, maxread, maxwrite

// Everything DecodeFattr understands; what the server did not return stays at its default.
struct DecodedAttrs {
  Attrs attrs;
  FsSpace space;
  std::string fh;
  uint32_t lease_time = 0;
  uint64_t max_read = 0, max_write = 0;
};

// Decodes `in`. kCorruption if the values do not match the mask, or the mask holds an
// attribute the client never asks for (whose size it cannot know).
Status DecodeFattr(const fattr4& in, DecodedAttrs* out);

// The fattr4 SETATTR sends for `set` (attributes in increasing order, as RFC 5661 s5.4 wants).
Fattr EncodeSetAttrs(const SetAttrs& set);

}  // namespace efs::nfs4client
