"""Chapter 6 (backpropagation): check yourself, on the graph g of the chapter (w1 = 2, w2 = 3)."""

from ..display.quiz import Numeric

QUESTIONS = {
    "dg-da": Numeric(
        r"With \(b = a \times w_2\) and \(\partial g/\partial b = 1\): what is \(\partial g / \partial a\)?",
        3,
        mistakes={1: r"That is \(\partial g/\partial b\); multiply by the local derivative \(\partial b/\partial a\)."},
        explain=r"\(\partial g/\partial a = \partial g/\partial b \cdot \partial b/\partial a = 1 \cdot w_2 = 3\).",
    ),
    "dg-dw1": Numeric(
        r"What is \(\partial g / \partial w_1\)? (Hint: \(w_1\) is used twice.)",
        39,
        mistakes={36: r"That is the path through \(a = w_1^3\) alone; add the path through \(c = 3w_1\).",
                  3: r"That is the path through \(c = 3w_1\) alone; add the path through \(a = w_1^3\)."},
        explain=r"Through \(a = w_1^3\): \(3 \cdot 3w_1^2 = 36\); through \(c = 3w_1\): \(1 \cdot 3 = 3\). "
                "The paths add: \\(36 + 3 = 39\\).",
    ),
    "dg-dw2": Numeric(
        r"What is \(\partial g / \partial w_2\)? (Hint: \(b = a \times w_2\).)",
        8,
        mistakes={2: r"That is \(w_1\); the local derivative \(\partial b/\partial w_2\) is \(a = w_1^3\).",
                  3: r"That is \(w_2\) itself; the local derivative \(\partial b/\partial w_2\) is \(a\)."},
        explain=r"\(\partial g/\partial w_2 = \partial g/\partial b \cdot \partial b/\partial w_2 = 1 \cdot a = w_1^3 = 8\).",
    ),
}

QUIZZES = {"check-yourself": ["dg-da", "dg-dw1", "dg-dw2"]}
