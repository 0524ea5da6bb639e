# Prints what a real interactive zsh shows when Tab is pressed after $3, each
# candidate it offers as <<candidate>>, with neslink's completion loaded as a
# user would (compinit, then `eval "$(neslink completion zsh)"`).
# $1: node, $2: the neslink bin it runs.
# Runs the shell in a pty (zsh/zpty): completion widgets exist only in the line editor.
# compadd is wrapped to print what each call added; markers are made by arithmetic so that the echo of the typed line never matches them.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='' PS2=''; autoload -Uz compinit && compinit -u -D"
zpty -w z "neslink() { ${(q)1} ${(q)2} \"\$@\" }; eval \"\$(neslink completion zsh)\""
zpty -w z 'compadd() { local -a hits; builtin compadd -O hits "$@"; print -rl -- "<<${^hits[@]}>>"; builtin compadd "$@" }'
zpty -w z 'print -r -- READY-$((40+2))'
zpty -r z setup '*READY-42*'
zpty -n -w z "$3"$'\t'
# Wait for the first candidate before typing on: input already queued when Tab is read can make zsh skip the completion.
# (Every case expects at least one; one with none fails on the caller's timeout.)
zpty -r z first '*>>*'
# Ctrl-U clears the completed line before the end marker's command.
zpty -n -w z $'\x15print -r -- DONE-$((40+2))\n'
zpty -r z out '*DONE-42*'
zpty -d z
print -r -- "$first$out"
