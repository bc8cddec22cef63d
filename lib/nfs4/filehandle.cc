// File handle bytes (see filehandle.h for the format).
#include "nfs4/filehandle.h"

namespace efs::nfs4 {
namespace {

void Put64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (56 - 8 * i)));
}

uint64_t Get64(std::string_view b, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

std::string EncodeFileHandle(const FileHandle& fh) {
  std::string out;
  out.reserve(kFileHandleSize);
  out.push_back(static_cast<char>(kFileHandleVersion));
  out.append(3, '\0');
  Put64(fh.export_id, &out);
  Put64(fh.id.ino, &out);
  Put64(fh.id.generation, &out);
  return out;
}

nfsstat4 DecodeFileHandle(std::string_view bytes, FileHandle* out) {
  if (bytes.size() != kFileHandleSize || static_cast<uint8_t>(bytes[0]) != kFileHandleVersion ||
      bytes[1] != 0 || bytes[2] != 0 || bytes[3] != 0) {
    return NFS4ERR_BADHANDLE;
  }
  out->export_id = Get64(bytes, 4);
  out->id.ino = Get64(bytes, 12);
  out->id.generation = Get64(bytes, 20);
  return NFS4_OK;
}

uint64_t ExportIdFor(std::string_view file_system_id) {
  uint64_t h = 14695981039346656037ULL;
  for (char c : file_system_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace efs::nfs4
