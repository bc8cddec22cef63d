# fish completion for efs(1). Thin by design: the binary itself knows the commands, options,
# enum values and live ids, so this only asks `efs __complete WORDS...` (git and ninja do the
# same) and offers what it prints, one candidate per line.
function __efs_complete
    set -l tokens (commandline -opc)
    set -l efs $tokens[1]
    set -e tokens[1]
    set -l current (commandline -ct)
    # "$current" stays one (possibly empty) argument: the partial word being typed.
    $efs __complete $tokens "$current" 2>/dev/null
end

# An option that takes a path (e.g. --socket) gets nothing from efs: offer files then.
function __efs_wants_files
    set -l current (commandline -ct)
    not string match -q -- "-*" "$current"; and test (count (__efs_complete)) -eq 0
end

complete -c efs -f -a '(__efs_complete)'
complete -c efs -F -n __efs_wants_files
