# bash completion for efs(1). Thin by design: the binary itself knows the commands, options,
# enum values and live ids, so this only asks `efs __complete WORDS...` (git and ninja do the
# same) and hands the answer to bash, one candidate per line.
_efs() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local -a words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    # bash splits "--opt=value" at "="; complete the value as if it followed "--opt ".
    local after_equals=""
    if [[ $cur == "=" ]]; then
        after_equals="="
        cur=""
        words[${#words[@]}-1]=""
    fi
    local -a args=()
    local w
    for w in "${words[@]}"; do
        [[ $w == "=" ]] || args+=("$w")
    done
    [[ ${#args[@]} -eq 0 ]] && args=("")
    local IFS=$'\n'
    COMPREPLY=($("${COMP_WORDS[0]}" __complete "${args[@]}" 2>/dev/null))
    [[ -n $after_equals ]] && COMPREPLY=("${COMPREPLY[@]/#/=}")
    # An option that takes a path (e.g. --socket) gets nothing from efs: offer files then.
    if [[ ${#COMPREPLY[@]} -eq 0 && $cur != -* ]]; then
        compopt -o default 2>/dev/null
    fi
    return 0
}
complete -F _efs efs
