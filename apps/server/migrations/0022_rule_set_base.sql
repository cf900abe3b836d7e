-- Issue 15 §4 review: a rule set is approved only on top of the set in force when it was
-- submitted (null: none was), so an approval never silently replaces a newer set; see
-- rule-sets.ts reviewRuleSet.
alter table risk_rule_sets add column based_on uuid references risk_rule_sets (id);
