"""Chapter 4 (universal approximation): check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "not-universal": MultipleChoice(
        "With which activation is a one-hidden-layer network <em>not</em> a universal approximator, however wide?",
        [Option("the sigmoid", why="The sigmoid is continuous and not a polynomial, so a wide enough network "
                                   "approximates any continuous function (Cybenko's theorem)."),
         Option("ReLU", why="ReLU is continuous and not a polynomial: by Leshno et al. it is universal."),
         Option("tanh", why="tanh is continuous and not a polynomial: by Leshno et al. it is universal."),
         Option(r"\(g(z) = z^3 + z\)", correct=True, label="g of z equals z cubed plus z")],
        explain=r"By Leshno et al., a continuous activation is universal if and only if it is not a polynomial. "
                r"With \(g(z) = z^3 + z\) every such network is a polynomial of degree at most 3.",
    ),
    "bumps-needed": Numeric(
        r"A target has \(|f'(x)| \le 2\) on \([0, 5]\). Using the staircase bound \(L\,\delta/2\) with bumps "
        r"of width \(\delta = 5/N\), how many bumps \(N\) guarantee a maximum error of at most 0.05?",
        100,
        mistakes={200: r"That drops the \(/2\) of the bound \(L\,\delta/2\).",
                  50: r"Check the slope bound: \(L = 2\), so \(L\,\delta/2 = 2 \cdot (5/N)/2 = 5/N\)."},
        explain=r"\(L\,\delta/2 = 2 \cdot (5/N)/2 = 5/N \le 0.05\) gives \(N \ge 100\).",
    ),
    "theorem-promise": MultipleChoice(
        "What does the universal approximation theorem guarantee for a continuous function on a compact set?",
        [Option("Gradient descent finds weights with an error below any tolerance.",
                why="The theorems say that good weights exist, not that training finds them."),
         Option("For every tolerance there is a width and a choice of weights with an error below it.", correct=True),
         Option("100 hidden units are enough for every continuous function.",
                why="No fixed width is enough: the width needed depends on the function and the tolerance."),
         Option("A network that fits its training data well also fits new data well.",
                why="The theorems are about approximating a known function, not about learning it from samples.")],
        explain="The theorems promise that good weights exist for a large enough width. They say nothing about "
                "how many units, whether training finds the weights, or how well a network fitted to samples "
                "generalises.",
    ),
}

QUIZZES = {"check-yourself": ["not-universal", "bumps-needed", "theorem-promise"]}

QUESTIONS["relu-doubling"] = Numeric(
    r"Before you run it: \(N\) ReLU units join the target's values at \(N + 1\) knots by straight pieces of "
    r"width \(\delta\), with an error of at most \(\delta^2 \max|f''|/8\). By about what factor does the "
    r"maximum error fall when \(N\) doubles?",
    4,
    mistakes={2: r"That is the sigmoid staircase, whose error is about the slope times \(\delta\). Straight pieces "
                 r"follow the slope; their error goes with \(\delta^2\)."},
    explain=r"Doubling \(N\) halves \(\delta\), and the bound \(\delta^2 \max|f''|/8\) falls by \(2^2 = 4\). The "
            r"measurement below sits on the bound.",
)
QUESTIONS["compact-set"] = MultipleChoice(
    r"On the open interval \((0, 1)\), can one-hidden-layer sigmoid networks approximate "
    r"\(f(x) = \sin(1/x)\) uniformly, within any \(\varepsilon\)?",
    [Option(r"Yes: \(f\) is continuous and bounded, so the theorem applies",
            why=r"The theorems need a compact (closed and bounded) set; \((0, 1)\) is not closed."),
     Option(r"No: near 0, \(f\) takes the values 1 and \(-1\) at points as close as we like, while every "
            r"network is continuous on \([0, 1]\)", correct=True),
     Option("Only with ReLU units",
            why="ReLU networks are continuous on [0, 1] too, and meet the same obstacle.")],
    explain=r"A network is uniformly continuous on \([0, 1]\), so near 0 it is almost constant, while "
            r"\(\sin(1/x)\) keeps swinging between \(-1\) and \(1\): the uniform error stays at least about 1.",
)
QUIZZES["relu-doubling"] = ["relu-doubling"]
QUIZZES["check-yourself"] = QUIZZES["check-yourself"] + ["compact-set"]
