package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/netguard/netguard/checks/diagnose"
)

// shells are the shells guard completion writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// completionModel is everything a completion script offers, read from the
// tables the parser and help use (commands, flagDefs, commandHelp, the
// finding catalog), so a script cannot offer what the CLI would refuse.
type completionModel struct {
	cmds     []completionCmd
	findings []string // finding IDs, for guard explain ID
	hooksSub []string // guard hooks install|uninstall|status
}

type completionCmd struct {
	name    string
	summary string
	flags   []completionFlag
}

type completionFlag struct {
	long, short string   // "timeout", "" (short only for one-letter aliases)
	usage       string   // the help text
	arg         string   // the value's placeholder; "" for a yes/no flag
	values      []string // fixed values (--color auto|always|never)
	files       bool     // the value is a file name
	dirs        bool     // the value is a directory
}

// flagValues are the fixed values in a placeholder made only of
// lower-case words ("never|auto|prompt"); a placeholder with any other
// part (auto|IP) names free input.
func flagValues(arg string) []string {
	if !strings.Contains(arg, "|") {
		return nil
	}
	words := strings.Split(arg, "|")
	for _, w := range words {
		if w == "" || strings.ToLower(w) != w || strings.ContainsAny(w, "[],.") {
			return nil
		}
	}
	return words
}

func newCompletionFlag(d *flagDef) completionFlag {
	f := completionFlag{long: d.names[0], usage: d.usage, arg: d.arg, values: flagValues(d.arg)}
	for _, n := range d.names[1:] {
		if len(n) == 1 {
			f.short = n
		}
	}
	switch d.arg {
	case "FILE", "PATH":
		f.files = true
	case "DIR":
		f.dirs = true
	}
	return f
}

// commandSummaries are the one-line summaries of the usage text's
// "commands:" block, by command.
func commandSummaries() map[string]string {
	m := map[string]string{}
	_, block, _ := strings.Cut(usageText, "\ncommands:\n")
	block, _, _ = strings.Cut(block, "\n\n")
	for _, l := range strings.Split(block, "\n") {
		name, summary, ok := strings.Cut(strings.TrimSpace(l), " ")
		if ok {
			m[name] = strings.TrimSpace(summary)
		}
	}
	return m
}

func newCompletionModel() completionModel {
	var m completionModel
	sum := commandSummaries()
	for _, name := range visibleCommands() {
		c := completionCmd{name: name, summary: sum[name]}
		for _, d := range flagDefs {
			if d.takes(name) {
				c.flags = append(c.flags, newCompletionFlag(d))
			}
		}
		m.cmds = append(m.cmds, c)
	}
	for _, d := range diagnose.Catalog() {
		m.findings = append(m.findings, d.ID)
	}
	// "guard hooks install|uninstall|status [flags]"
	for _, w := range strings.Fields(commandHelp["hooks"].usage) {
		if strings.Contains(w, "|") {
			m.hooksSub = strings.Split(w, "|")
		}
	}
	return m
}

// globalFlags are the flags taken before any command.
func (m completionModel) globalFlags() []completionFlag {
	var out []completionFlag
	for _, d := range flagDefs {
		if d.takes("") {
			out = append(out, newCompletionFlag(d))
		}
	}
	return out
}

// valueFlags are every flag that takes a value, once each.
func (m completionModel) valueFlags() []completionFlag {
	var out []completionFlag
	for _, d := range flagDefs {
		if d.arg != "" {
			out = append(out, newCompletionFlag(d))
		}
	}
	return out
}

// args are the words a command takes as arguments ("" for none known).
func (m completionModel) args(cmd string) []string {
	switch cmd {
	case "explain":
		return m.findings
	case "help":
		return visibleCommands()
	case "completion":
		return shells
	case "hooks":
		return m.hooksSub
	}
	return nil
}

// spellings are the ways to type f: --long, then -s when it has one.
func (f completionFlag) spellings() []string {
	s := []string{"--" + f.long}
	if f.short != "" {
		s = append(s, "-"+f.short)
	}
	return s
}

// spellingsOf is every spelling of flags, in order.
func spellingsOf(flags []completionFlag) []string {
	var s []string
	for _, f := range flags {
		s = append(s, f.spellings()...)
	}
	return s
}

// runCompletion is guard completion SHELL.
func runCompletion(sys *IO, c *cli) exitCode {
	m := newCompletionModel()
	var err error
	switch c.args[0] {
	case "bash":
		err = writeBash(sys.Out, m)
	case "zsh":
		err = writeZsh(sys.Out, m)
	case "fish":
		err = writeFish(sys.Out, m)
	case "powershell":
		err = writePowerShell(sys.Out, m)
	}
	if err != nil {
		fmt.Fprintf(sys.ErrOut, "guard completion: %s\n", oneLine(err))
		return exitUsage
	}
	return exitOK
}

// checkShell is the usage check of guard completion's argument.
func checkShell(pos []string) error {
	if len(pos) != 1 {
		return usagef("completion: want one shell (%s)", strings.Join(shells, ", "))
	}
	if !slices.Contains(shells, pos[0]) {
		return usagef("completion: unknown shell %q (want %s)", pos[0], strings.Join(shells, ", "))
	}
	return nil
}

// shQuote is s as one single-quoted word for sh, zsh and fish.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishQuote is s as one single-quoted fish word (fish escapes \ and ').
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// psQuote is s as one single-quoted PowerShell string.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// psList is ss as the items of a PowerShell array: each single-quoted,
// comma-separated.
func psList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = psQuote(s)
	}
	return strings.Join(q, ", ")
}

// errWriter keeps the first write error, so a script is written without
// an error check per line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

func writeBash(w io.Writer, m completionModel) error {
	e := &errWriter{w: w}
	e.printf("# bash completion for guard (written by guard completion bash).\n")
	e.printf("# Load it with: source <(guard completion bash)\n\n")
	e.printf("_guard() {\n")
	e.printf("  local cur=${COMP_WORDS[COMP_CWORD]} prev= flag= cmd= n=0 i w\n")
	e.printf("  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n")
	// COMP_WORDBREAKS splits --color=al into --color, =, al.
	e.printf("  if [[ $cur == = ]]; then flag=$prev; cur=\n")
	e.printf("  elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then flag=${COMP_WORDS[COMP_CWORD-2]}\n")
	e.printf("  else flag=$prev; fi\n")
	// The command is the first word that is neither a flag nor a flag's value.
	e.printf("  for (( i=1; i<COMP_CWORD; i++ )); do\n")
	e.printf("    w=${COMP_WORDS[i]}\n")
	e.printf("    case $w in\n")
	e.printf("      --) [[ $cmd == run ]] && { compopt -o default 2>/dev/null; COMPREPLY=(); return; }; break ;;\n")
	valued := spellingsOf(m.valueFlags())
	e.printf("      %s) (( i++ )); [[ ${COMP_WORDS[i]} == = ]] && (( i++ )) ;;\n", strings.Join(valued, "|"))
	e.printf("      -*) [[ ${COMP_WORDS[i+1]} == = ]] && (( i+=2 )) ;;\n")
	e.printf("      =) ;;\n")
	e.printf("      *) if [[ -z $cmd ]]; then cmd=$w\n")
	e.printf("         elif [[ $cmd == run ]]; then compopt -o default 2>/dev/null; COMPREPLY=(); return\n")
	e.printf("         else (( n++ )); fi ;;\n")
	e.printf("    esac\n")
	e.printf("  done\n")
	e.printf("  case $flag in\n")
	for _, f := range m.valueFlags() {
		e.printf("    %s) ", strings.Join(f.spellings(), "|"))
		switch {
		case len(f.values) > 0:
			e.printf("COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", shQuote(strings.Join(f.values, " ")))
		case f.files:
			e.printf("COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n")
		case f.dirs:
			e.printf("COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n")
		default:
			e.printf("COMPREPLY=(); return ;;\n")
		}
	}
	e.printf("  esac\n")
	e.printf("  local words=\n")
	e.printf("  case $cmd in\n")
	e.printf("    '') if [[ $cur == -* ]]; then words=%s; else words=%s; fi ;;\n",
		shQuote(strings.Join(spellingsOf(m.globalFlags()), " ")), shQuote(strings.Join(visibleCommands(), " ")))
	for _, c := range m.cmds {
		e.printf("    %s) if [[ $cur == -* ]]; then words=%s", c.name, shQuote(strings.Join(spellingsOf(c.flags), " ")))
		if args := m.args(c.name); len(args) > 0 {
			e.printf("; elif (( n == 0 )); then words=%s", shQuote(strings.Join(args, " ")))
		}
		e.printf("; fi ;;\n")
	}
	e.printf("  esac\n")
	e.printf("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n")
	e.printf("}\n")
	e.printf("complete -F _guard guard\n")
	return e.err
}

func writeZsh(w io.Writer, m completionModel) error {
	e := &errWriter{w: w}
	e.printf("#compdef guard\n")
	e.printf("# zsh completion for guard (written by guard completion zsh).\n")
	e.printf("# Save it as _guard in a directory of $fpath, or: source <(guard completion zsh)\n\n")
	e.printf("_guard() {\n")
	e.printf("  local cmd= w flag cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n")
	e.printf("  integer i n=0\n")
	valued := spellingsOf(m.valueFlags())
	e.printf("  for (( i=2; i<CURRENT; i++ )); do\n")
	e.printf("    w=${words[i]}\n")
	e.printf("    case $w in\n")
	e.printf("      --) [[ $cmd == run ]] && { _normal; return }; break ;;\n")
	e.printf("      %s) (( i++ )) ;;\n", strings.Join(valued, "|"))
	e.printf("      -*) ;;\n")
	e.printf("      *) if [[ -z $cmd ]]; then cmd=$w\n")
	e.printf("         elif [[ $cmd == run ]]; then _normal; return\n")
	e.printf("         else (( n++ )); fi ;;\n")
	e.printf("    esac\n")
	e.printf("  done\n")
	e.printf("  flag=$prev\n")
	e.printf("  if [[ $cur == -*=* ]]; then flag=${cur%%%%=*}; compset -P '*='; fi\n")
	e.printf("  if [[ $flag != $prev || $cur != -* ]]; then\n")
	e.printf("    case $flag in\n")
	for _, f := range m.valueFlags() {
		e.printf("      %s) ", strings.Join(f.spellings(), "|"))
		switch {
		case len(f.values) > 0:
			e.printf("compadd -- %s; return ;;\n", strings.Join(f.values, " "))
		case f.files:
			e.printf("_files; return ;;\n")
		case f.dirs:
			e.printf("_files -/; return ;;\n")
		default:
			e.printf("_message %s; return ;;\n", shQuote(f.arg))
		}
	}
	e.printf("    esac\n")
	e.printf("  fi\n")
	e.printf("  local -a items\n")
	e.printf("  if [[ $cur == -* ]]; then\n")
	e.printf("    case $cmd in\n")
	writeZshFlags := func(name string, flags []completionFlag) {
		e.printf("      %s) items=(", name)
		for _, f := range flags {
			for _, s := range f.spellings() {
				e.printf(" %s", shQuote(s+":"+f.usage))
			}
		}
		e.printf(" ) ;;\n")
	}
	writeZshFlags("''", m.globalFlags())
	for _, c := range m.cmds {
		writeZshFlags(c.name, c.flags)
	}
	e.printf("    esac\n")
	e.printf("    _describe -t flags flag items\n")
	e.printf("    return\n")
	e.printf("  fi\n")
	e.printf("  case $cmd in\n")
	e.printf("    '') items=(")
	for _, c := range m.cmds {
		e.printf(" %s", shQuote(c.name+":"+c.summary))
	}
	e.printf(" ); _describe -t commands command items ;;\n")
	for _, c := range m.cmds {
		if args := m.args(c.name); len(args) > 0 {
			e.printf("    %s) (( n == 0 )) && compadd -- %s ;;\n", c.name, strings.Join(args, " "))
		}
	}
	e.printf("  esac\n")
	e.printf("}\n\n")
	e.printf("if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n")
	e.printf("  _guard \"$@\"\n")
	e.printf("else\n")
	e.printf("  compdef _guard guard\n")
	e.printf("fi\n")
	return e.err
}

func writeFish(w io.Writer, m completionModel) error {
	e := &errWriter{w: w}
	e.printf("# fish completion for guard (written by guard completion fish).\n")
	e.printf("# Save it as ~/.config/fish/completions/guard.fish, or: guard completion fish | source\n\n")
	e.printf("complete -c guard -f\n")
	flagLine := func(cond string, f completionFlag) {
		e.printf("complete -c guard -n %s -l %s", fishQuote(cond), f.long)
		if f.short != "" {
			e.printf(" -s %s", f.short)
		}
		switch {
		case len(f.values) > 0:
			e.printf(" -x -a %s", fishQuote(strings.Join(f.values, " ")))
		case f.files:
			e.printf(" -r -F")
		case f.dirs:
			e.printf(" -x -a '(__fish_complete_directories)'")
		case f.arg != "":
			e.printf(" -x")
		}
		e.printf(" -d %s\n", fishQuote(f.usage))
	}
	for _, f := range m.globalFlags() {
		flagLine("__fish_use_subcommand", f)
	}
	for _, c := range m.cmds {
		e.printf("complete -c guard -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range m.cmds {
		cond := "__fish_seen_subcommand_from " + c.name
		for _, f := range c.flags {
			flagLine(cond, f)
		}
		if args := m.args(c.name); len(args) > 0 {
			// Only the first argument: none of these commands takes two.
			e.printf("complete -c guard -n %s -a %s\n",
				fishQuote(cond+"; and not __fish_seen_subcommand_from "+strings.Join(args, " ")), fishQuote(strings.Join(args, " ")))
		}
	}
	// guard run -- CMD: the command and its arguments complete as files.
	e.printf("complete -c guard -n %s -F\n", fishQuote("__fish_seen_subcommand_from run"))
	return e.err
}

func writePowerShell(w io.Writer, m completionModel) error {
	e := &errWriter{w: w}
	e.printf("# PowerShell completion for guard (written by guard completion powershell).\n")
	e.printf("# Load it with: guard completion powershell | Out-String | Invoke-Expression\n\n")
	e.printf("Register-ArgumentCompleter -Native -CommandName guard, guard.exe -ScriptBlock {\n")
	e.printf("  param($wordToComplete, $commandAst, $cursorPosition)\n")
	e.printf("  $valued = @(%s)\n", psList(spellingsOf(m.valueFlags())))
	e.printf("  $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition -or ($_.Extent.EndOffset -eq $cursorPosition -and $wordToComplete -eq '') } | ForEach-Object { $_.ToString() })\n")
	e.printf("  $cmd = ''; $n = 0; $prev = ''\n")
	e.printf("  for ($i = 1; $i -lt $words.Count; $i++) {\n")
	e.printf("    $w = $words[$i]\n")
	e.printf("    if ($w -eq '--') { if ($cmd -eq 'run') { return }; break }\n")
	e.printf("    if ($valued -contains $w) { $i++; if ($i -ge $words.Count) { $prev = $w }; continue }\n")
	e.printf("    if ($w.StartsWith('-')) { continue }\n")
	e.printf("    if ($cmd -eq '') { $cmd = $w } elseif ($cmd -eq 'run') { return } else { $n++ }\n")
	e.printf("  }\n")
	e.printf("  $items = @()\n")
	e.printf("  switch ($prev) {\n")
	for _, f := range m.valueFlags() {
		for _, s := range f.spellings() {
			if len(f.values) > 0 {
				e.printf("    %s { $items = @(%s) }\n", psQuote(s), psList(f.values))
			} else {
				e.printf("    %s { return }\n", psQuote(s))
			}
		}
	}
	e.printf("    default {\n")
	e.printf("      if ($wordToComplete.StartsWith('-')) {\n")
	e.printf("        switch ($cmd) {\n")
	psFlags := func(name string, flags []completionFlag) {
		e.printf("          %s { $items = @(%s) }\n", psQuote(name), psList(spellingsOf(flags)))
	}
	psFlags("", m.globalFlags())
	for _, c := range m.cmds {
		psFlags(c.name, c.flags)
	}
	e.printf("        }\n")
	e.printf("      } else {\n")
	e.printf("        switch ($cmd) {\n")
	e.printf("          '' { $items = @(%s) }\n", psList(visibleCommands()))
	for _, c := range m.cmds {
		if args := m.args(c.name); len(args) > 0 {
			e.printf("          %s { if ($n -eq 0) { $items = @(%s) } }\n", psQuote(c.name), psList(args))
		}
	}
	e.printf("        }\n")
	e.printf("      }\n")
	e.printf("    }\n")
	e.printf("  }\n")
	e.printf("  $items | Where-Object { $_ -like \"$wordToComplete*\" } | ForEach-Object {\n")
	e.printf("    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n")
	e.printf("  }\n")
	e.printf("}\n")
	return e.err
}
