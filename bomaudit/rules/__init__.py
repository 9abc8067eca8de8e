"""Rule packs: the regulation as versioned, dated, sourced data (``packs/*.toml``)."""

from bomaudit.rules.pack import Rule, RulePack, RuleStatus, load_pack

__all__ = ["Rule", "RulePack", "RuleStatus", "load_pack"]
