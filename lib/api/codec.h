// The JSON codec machinery behind messages.cc and vpc_messages.cc: value decoders and encoders,
// the strict field reader and the writer, and EFS_FIELDS. Each struct lists its fields once,
// in an EFS_FIELDS block inside namespace efs::api::codec; the same list drives both ToJson
// (FieldWriter) and the strict FromJson (FieldReader). Nothing here throws: it reads JSON only
// through nlohmann's exception-free calls (STYLE 2.4). Private to lib/api.
#pragma once

#include <cmath>
#include <concepts>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/messages.h"
#include "base/macros.h"

namespace efs::api::codec {

// Flags for one field.
constexpr int kNoFlags = 0;
constexpr int kRequired = 1;  // FromJson: missing is an error (never on std::optional fields)
constexpr int kOmitZero = 2;  // ToJson: omitted when equal to its zero value

inline Status TypeError(const std::string& path, const char* expected) {
  return InvalidArgument("parameter '" + path + "' must be " + expected);
}

// ----------------------------------------------------------------------------- value decoders
// Decode(json, path, out) reads one value of out's type; `path` names it in errors.

inline Status Decode(const Json& json, const std::string& path, std::string* out) {
  if (!json.is_string()) return TypeError(path, "a string");
  *out = json.get_ref<const std::string&>();
  return Status::Ok();
}

inline Status Decode(const Json& json, const std::string& path, bool* out) {
  if (!json.is_boolean()) return TypeError(path, "a boolean");
  *out = json.get<bool>();
  return Status::Ok();
}

inline Status Decode(const Json& json, const std::string& path, double* out) {
  if (!json.is_number()) return TypeError(path, "a number");
  *out = json.get<double>();
  return Status::Ok();
}

// Integers: integral JSON numbers (5 or 5.0) within the range of Int.
template <class Int>
Status DecodeInteger(const Json& json, const std::string& path, Int* out) {
  using Limits = std::numeric_limits<Int>;
  Status out_of_range = InvalidArgument("parameter '" + path + "' is out of range");
  if (json.is_number_unsigned()) {
    uint64_t v = json.get<uint64_t>();
    if (v > static_cast<uint64_t>(Limits::max())) return out_of_range;
    *out = static_cast<Int>(v);
  } else if (json.is_number_integer()) {
    int64_t v = json.get<int64_t>();
    if (v < static_cast<int64_t>(Limits::min()) || v > static_cast<int64_t>(Limits::max())) {
      return out_of_range;
    }
    *out = static_cast<Int>(v);
  } else if (json.is_number_float()) {
    double v = json.get<double>();
    if (!std::isfinite(v) || v != std::trunc(v)) return TypeError(path, "an integer");
    // -min is max+1, a power of two, exactly representable as a double.
    double lo = static_cast<double>(Limits::min());
    if (v < lo || v >= -lo) return out_of_range;
    *out = static_cast<Int>(v);
  } else {
    return TypeError(path, "an integer");
  }
  return Status::Ok();
}

inline Status Decode(const Json& json, const std::string& path, int* out) {
  return DecodeInteger(json, path, out);
}

inline Status Decode(const Json& json, const std::string& path, int64_t* out) {
  return DecodeInteger(json, path, out);
}

template <class T>
Status Decode(const Json& json, const std::string& path, std::vector<T>* out);
template <class T>
Status Decode(const Json& json, const std::string& path, T* out);  // a struct with EFS_FIELDS

template <class T>
Status Decode(const Json& json, const std::string& path, std::vector<T>* out) {
  if (!json.is_array()) return TypeError(path, "an array");
  out->clear();
  out->reserve(json.size());
  for (const Json& element : json) {
    T item{};
    EFS_RETURN_IF_ERROR(Decode(element, path + "[" + std::to_string(out->size()) + "]", &item));
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

// ----------------------------------------------------------------------------- value encoders
template <class T>
Json Encode(const T& value);  // a struct with EFS_FIELDS

inline Json Encode(const std::string& value) { return Json(value); }
inline Json Encode(bool value) { return Json(value); }
inline Json Encode(int value) { return Json(value); }
inline Json Encode(int64_t value) { return Json(value); }
inline Json Encode(double value) { return Json(value); }

template <class T>
Json Encode(const std::vector<T>& values) {
  Json array = Json::array();
  for (const T& value : values) array.push_back(Encode(value));
  return array;
}

// ----------------------------------------------------------------------------- field visitors
// Reads the fields of one JSON object. The first error sticks; Finish() reports it, or else the
// first member that no field claimed.
class FieldReader {
 public:
  // REQUIRES: object.is_object(). `prefix` is prepended to field names in errors ("Tags[1].").
  FieldReader(const Json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  template <class T>
  void operator()(const char* name, T& out, int flags = kNoFlags) {
    const Json* json = Take(name);
    if (!status_.ok()) return;
    if (json == nullptr) {
      if (flags & kRequired) {
        status_ = InvalidArgument("missing required parameter '" + prefix_ + name + "'");
      }
      return;
    }
    status_ = Decode(*json, prefix_ + name, &out);
  }

  template <class T>
  void operator()(const char* name, std::optional<T>& out, int /*flags*/ = kNoFlags) {
    const Json* json = Take(name);
    if (!status_.ok() || json == nullptr) return;
    T value{};
    status_ = Decode(*json, prefix_ + name, &value);
    if (status_.ok()) out = std::move(value);
  }

  // A nested object without a struct of its own; `fields` is called with the inner reader.
  template <class F>
  void Object(const char* name, F&& fields) {
    const Json* json = Take(name);
    if (!status_.ok() || json == nullptr) return;
    if (!json->is_object()) {
      status_ = TypeError(prefix_ + name, "an object");
      return;
    }
    FieldReader inner(*json, prefix_ + name + ".");
    fields(inner);
    status_ = inner.Finish();
  }

  Status Finish() {
    if (!status_.ok()) return status_;
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!Known(it.key()))
        return InvalidArgument("unknown parameter '" + prefix_ + it.key() + "'");
    }
    return Status::Ok();
  }

 private:
  // Claims `name`; returns its value, or nullptr when absent or null.
  const Json* Take(const char* name) {
    known_.push_back(name);
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  bool Known(const std::string& key) const {
    for (const char* name : known_) {
      if (key == name) return true;
    }
    return false;
  }

  const Json& object_;
  std::string prefix_;
  std::vector<const char*> known_;
  Status status_;
};

// Builds one JSON object from fields; unset optionals are omitted.
class FieldWriter {
 public:
  template <class T>
  void operator()(const char* name, const T& value, int flags = kNoFlags) {
    if constexpr (std::is_arithmetic_v<T>) {
      if ((flags & kOmitZero) && value == T{}) return;
    }
    json_[name] = Encode(value);
  }

  template <class T>
  void operator()(const char* name, const std::optional<T>& value, int /*flags*/ = kNoFlags) {
    if (value) json_[name] = Encode(*value);
  }

  template <class F>
  void Object(const char* name, F&& fields) {
    FieldWriter inner;
    fields(inner);
    json_[name] = inner.Take();
  }

  Json Take() { return std::move(json_); }

 private:
  Json json_ = Json::object();
};

template <class T>
Status ReadStruct(const Json& json, const std::string& path, T* out) {
  if (!json.is_object()) return TypeError(path, "an object");
  *out = T{};
  FieldReader reader(json, path.empty() ? "" : path + ".");
  Fields(reader, *out);
  return reader.Finish();
}

template <class T>
Status Decode(const Json& json, const std::string& path, T* out) {
  return ReadStruct(json, path, out);
}

template <class T>
Json Encode(const T& value) {
  FieldWriter writer;
  Fields(writer, value);
  return writer.Take();
}

// Top level: null (absent params) reads as {}, so only structs without required fields accept it.
template <class T>
Status ReadTopLevel(const Json& json, T* out) {
  static const Json kEmpty = Json::object();
  if (json.is_null()) return ReadStruct(kEmpty, "", out);
  if (!json.is_object()) return InvalidArgument("params must be a JSON object");
  return ReadStruct(json, "", out);
}

// EFS_FIELDS(T) { v("JsonName", s.member, flags); ... } serves both T and const T.
#define EFS_FIELDS(Type)                              \
  template <class V, class S>                         \
  requires std::same_as<std::remove_const_t<S>, Type> \
  void Fields(V& v, S& s)

}  // namespace efs::api::codec
