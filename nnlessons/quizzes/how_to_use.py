"""How to use this course: the sample self-check (also pasted on the front page)."""

from ..display.quiz import MultipleChoice, Numeric, Option

_SAME = r"At \(x = c\) the input \(s\,(x - c)\) is \(s \cdot 0 = 0\), whatever \(s\) is."

QUESTIONS = {
    "value-at-centre": MultipleChoice(
        r"You make the steepness \(s\) larger. What happens to the value of \(\sigma(s\,(x - c))\) at \(x = c\)?",
        [Option("It grows towards 1.", why=_SAME),
         Option("It stays 1/2.", correct=True),
         Option("It shrinks towards 0.", why=_SAME),
         Option("It depends on c.", why=r"\(c\) moves the curve sideways, but at \(x = c\) the input is always 0.")],
        explain=r"At \(x = c\) the input \(s\,(x - c)\) is 0 whatever \(s\) is, and \(\sigma(0) = 1/2\).",
    ),
    "slope-at-centre": Numeric(
        r"What is the slope of \(\sigma(s\,(x - c))\) at \(x = c\) when \(s = 2\)?",
        0.5, decimals=2,
        mistakes={0.25: r"That is \(\sigma'(0)\), the slope for \(s = 1\); the chain rule multiplies it by \(s\)."},
        explain=r"By the chain rule the slope is \(s\,\sigma'(0) = s/4\), since \(\sigma'(0) = \sigma(0)(1 - \sigma(0)) = 1/4\); "
                r"for \(s = 2\) that is \(1/2\).",
    ),
}

QUIZZES = {"sigmoid": ["value-at-centre", "slope-at-centre"]}
