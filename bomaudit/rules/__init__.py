"""Rule packs: the regulation as versioned, dated, sourced data (``packs/*.toml``)."""

from bomaudit.evaluate import EvalOptions, evaluate, pack_warnings, rules_relied_on
from bomaudit.rules.pack import Rule, RulePack, RuleStatus, load_pack

__all__ = ["EvalOptions", "Rule", "RulePack", "RuleStatus", "evaluate", "load_pack", "pack_warnings", "rules_relied_on"]
