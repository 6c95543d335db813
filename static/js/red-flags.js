// The emergency and urgent rules, evaluated on the phone so that a red flag ticked without a
// connection is answered at once. The texts, levels, order and "unless" lists come from the
// server (advice.contexts.seek_care_rules, from advice.rules.RULES); only the conditions are
// here, the same as advice/rules.py's, and a browser test checks this against
// advice.rules.evaluate for every combination of answers.
(function (scope) {
  "use strict";

  const CONDITIONS = {
    saddle_numbness: function (answers) { return answers.saddle_numbness; },
    bladder_bowel: function (answers) { return answers.bladder_bowel; },
    both_legs: function (answers, rules) {
      return answers.leg === "both" && (
        rules.thigh_or_further.indexOf(answers.spread) !== -1 || answers.numbness || answers.leg_weakness
      );
    },
    leg_weakness: function (answers) { return answers.leg_weakness; },
    numbness: function (answers) { return answers.numbness; },
    fever: function (answers) { return answers.fever; },
    injury: function (answers) { return answers.injury; },
  };

  // The seek-care rules these answers call for, most urgent first (the rules' own order
  // within a level), as {code, level, title, message, source}.
  function evaluate(answers, rules) {
    const levels = Object.keys(rules.levels);
    const fired = rules.rules.filter(function (rule) {
      const condition = CONDITIONS[rule.code];
      return Boolean(condition && condition(answers, rules));
    });
    const codes = fired.map(function (rule) { return rule.code; });
    return fired
      .filter(function (rule) { return !rule.unless.some(function (code) { return codes.indexOf(code) !== -1; }); })
      .map(function (rule, index) { return { rule: rule, index: index }; })
      .sort(function (a, b) {
        return levels.indexOf(a.rule.level) - levels.indexOf(b.rule.level) || a.index - b.index;
      })
      .map(function (item) { return item.rule; });
  }

  scope.BacklogRedFlags = { evaluate: evaluate, conditions: Object.keys(CONDITIONS) };
})(self);
