"""Rule packs: the regulation as versioned, dated, sourced data (``packs/*.toml``), and the
rules applied to a roll-up."""

from bomaudit.rules.evaluate import EvalOptions, evaluate, rules_relied_on
from bomaudit.rules.pack import Rule, RulePack, RuleStatus, load_pack, pack_warnings

__all__ = ["EvalOptions", "Rule", "RulePack", "RuleStatus", "evaluate", "load_pack", "pack_warnings", "rules_relied_on"]
