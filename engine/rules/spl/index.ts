// Public surface of the SPL engine: compile a search (with macros) to a program, wrap it as a CompiledRule.
// Invariant: callers never reach into the parser or evaluator internals.

export { compileSpl, splRule, type SplCompileInput, type SplProgram } from './compile.ts';
export { expandMacros, mergeMacroTables, parseMacrosConf, type MacroDef, type MacroTable } from './macros.ts';
export { sourceFromText, type SourceText } from './source-text.ts';
