// Package diagnose judges a netstate.State: which checks pass and which
// findings explain what does not, in root-cause order. It does no I/O, so
// every judgement is a function of the State it is given and is
// table-tested on every OS (TestDiagnoseImportsNoIO holds that by its
// imports).
//
// Checks is the one ordered list: the order of the report's lines, of
// chaining (a failed chained check makes later failures read "skip") and
// of the catalog. Each check lives in its own file with the findings it
// owns and its judge; a check sets only its own status, and where one
// cause explains another finding it says so with DependsOn or decides the
// specific cause before its generic findings.
package diagnose
