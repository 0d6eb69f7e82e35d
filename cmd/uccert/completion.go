package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// The shell scripts ask uccert itself for candidates (urfave/cli's
// --generate-bash-completion), so they stay right as commands change.
const bashCompletion = `# uccert completion for bash: source it, or put it in /etc/bash_completion.d/uccert
_uccert_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == -* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}
complete -o bashdefault -o default -F _uccert_complete uccert
`

const zshCompletion = `#compdef uccert
# uccert completion for zsh: put it in a directory of $fpath as _uccert, or source it
_uccert() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} $cur --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ -n "${opts[1]}" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _uccert uccert
`

const powershellCompletion = `# uccert completion for PowerShell: add to your $PROFILE
Register-ArgumentCompleter -Native -CommandName uccert, uccert.exe -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = $commandAst.CommandElements | ForEach-Object { $_.ToString() }
  if ($wordToComplete -ne '') { $words = $words[0..($words.Count - 2)] }
  $prog = $words[0]
  $rest = @()
  if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
  if ($wordToComplete -like '-*') { $rest += $wordToComplete }
  & $prog @rest --generate-bash-completion 2>$null |
    Where-Object { $_ -like "$wordToComplete*" } |
    ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish, powershell)",
		ArgsUsage: "SHELL",
		UsageText: "uccert completion bash|zsh|fish|powershell",
		Description: `Prints a script that completes uccert's commands and options in SHELL.

EXAMPLES:
   source <(uccert completion bash)
   uccert completion zsh > "${fpath[1]}/_uccert"
   uccert completion fish > ~/.config/fish/completions/uccert.fish
   uccert completion powershell >> $PROFILE

` + exitCodes,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion: give one SHELL: bash, zsh, fish or powershell")
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "powershell", "pwsh":
				script = powershellCompletion
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				script = s
			default:
				return usagef("completion: unknown shell %q (want bash, zsh, fish or powershell)", shell)
			}
			fmt.Fprint(e.stdout, script)
			return nil
		},
	}
}
