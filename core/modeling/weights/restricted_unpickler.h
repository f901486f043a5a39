#pragma once
// A small unpickler for the pickles torch.save writes (protocol 2; the framing opcodes of protocols 3-4 are
// understood too). It builds PickleValue trees and never runs code: every GLOBAL, REDUCE, BUILD and persistent
// id goes through an UnpicklerRules object that accepts only what it knows; everything else is refused.
// Why our own: Python's pickle is a program, and LibTorch 1.13's torch::pickle_load aborts on the pickles of
// model.state_dict() (an OrderedDict carrying a `_metadata` attribute), which is what real checkpoints hold.

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>

#include "core/modeling/weights/pickle_value.h"

namespace counterscope::modeling {

/// Thrown by UnpicklerRules when a pickle asks for something that is not allowed or is malformed; the
/// unpickler turns it into an InputError naming the file, the pickle and the byte offset.
class PickleRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a pickle may create beyond plain data.
class UnpicklerRules {
 public:
  virtual ~UnpicklerRules() = default;
  /// GLOBAL / STACK_GLOBAL: returns a PickleKind::global value, or throws PickleRefused.
  virtual PickleValuePtr find_global(const std::string& module, const std::string& name) = 0;
  /// REDUCE: calls an allowed global with a tuple of arguments.
  virtual PickleValuePtr call(const PickleValue& callable, const PickleValue& args) = 0;
  /// BUILD: sets the state of an object made by REDUCE.
  virtual void build(PickleValue& object, const PickleValuePtr& state) = 0;
  /// BINPERSID: resolves a persistent id (torch.save's storages).
  virtual PickleValuePtr persistent_load(const PickleValue& pid) = 0;
};

/// Where a pickle comes from, for error messages and bounds.
struct PickleSource {
  std::string file;          ///< the file at fault in error messages
  std::string name;          ///< which pickle inside it, e.g. "data.pkl" or "legacy header"
  std::int64_t max_bytes;    ///< bytes left in the stream; lengths beyond it are refused before allocating
  std::int64_t base_offset = 0;  ///< offset of the stream's current position in the file, for messages
};

/// Reads one pickle (up to and including STOP) from `in`, leaving the stream just after it; `bytes_read`
/// (optional) receives its length. Throws InputError (file, "<name> byte N", opcode, problem) on truncated,
/// malformed or refused input.
PickleValuePtr read_pickle(std::istream& in, const PickleSource& source, UnpicklerRules& rules,
                           std::int64_t* bytes_read = nullptr);

}  // namespace counterscope::modeling
