// Printers for results: the AWS CLI's three output styles as generic functions over JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/messages.h"

namespace efs::cli {

enum class OutputFormat { kJson, kText, kTable };

// "json" | "text" | "table"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

// Pretty JSON with a 4-space indent and a final newline, as `aws --output json` prints.
std::string FormatJson(const api::Json& value);

// Tab-separated lines for cut/awk, as `aws --output text` prints (awscli/text.py):
//  - an object prints one line of its scalar values in key order, then each non-scalar
//    member in key order under that member's name;
//  - a list of objects prints one line per object, prefixed by the list's name upper-cased,
//    with the scalar values of the union of the objects' scalar keys (missing ones empty);
//  - a list of scalars under a name prints one "NAME\tvalue" line per element; at the top
//    level it prints its elements joined by tabs.
// Booleans print True/False and null prints None, as Python's str() does.
std::string FormatText(const api::Json& value);

// A human-readable table: an object's scalars (nested objects flattened to dotted keys) as
// aligned key/value rows; each list of objects as a titled section with a header row and one
// aligned row per object, or, when that would be wider than $COLUMNS (default 120), one block
// of aligned key/value rows per object; each list of scalars as a titled section with one value
// per line.
std::string FormatTable(const api::Json& value);

// Dispatches on `format`. An empty object prints nothing in every format (the AWS CLI prints
// nothing for DeleteFileSystem and friends).
std::string FormatResult(const api::Json& value, OutputFormat format);

}  // namespace efs::cli
