"""Chapter 1 (logistic regression and softmax): check yourself."""

from ..display.quiz import MultipleChoice, Option

QUESTIONS = {
    "weight-index": MultipleChoice(
        r"Which entry of <code>Linear.weight</code> holds \(W_{ij}^{(k-1,k)}\), the weight from unit \(j\) "
        r"of layer \(k-1\) to unit \(i\) of layer \(k\)?",
        [Option("<code>weight[i, j]</code>", correct=True, label="weight i j"),
         Option("<code>weight[j, i]</code>", label="weight j i",
                why="That is the transpose. <code>Linear.weight</code> has shape (units out, units in), so the "
                    "unit it feeds, \\(i\\), picks the row."),
         Option("<code>weight[k, i]</code>", label="weight k i",
                why="The layer number \\(k\\) is no index of the weight: each <code>Linear</code> holds the "
                    "weights between one pair of layers."),
         Option("<code>bias[i]</code>", label="bias i",
                why="The bias of unit \\(i\\) is added to its sum; it multiplies no input, so it is no weight "
                    "from another unit.")],
        explain="The weight has shape (units out, units in): row i is the unit it feeds, column j the unit it reads.",
    ),
    "regression-output": MultipleChoice(
        "A network predicts tomorrow's temperature in degrees. Which output layer and loss fit the task?",
        [Option("Softmax output, cross-entropy loss",
                why="Softmax gives probabilities over classes; a temperature is a real number, not a class."),
         Option("One linear output unit, squared error", correct=True),
         Option("One sigmoid output unit, squared error",
                why="A sigmoid output lies between 0 and 1, so it cannot say 25 degrees."),
         Option("Two output units, cross-entropy loss",
                why="Cross-entropy compares predicted class probabilities with a label; there are no classes "
                    "here.")],
        explain="A real number is a regression target: one unit without activation and the squared error. "
                "Softmax and sigmoid outputs are probabilities, between 0 and 1.",
    ),
    "softmax-boundary": MultipleChoice(
        "What does the boundary between two classes of a trained softmax regression in the plane look like?",
        [Option("A circle",
                why="A circle needs a squared feature such as \\(x_1^2 + x_2^2\\); the scores of softmax "
                    "regression are linear in \\(x\\)."),
         Option("A piece of a straight line", correct=True),
         Option("Any curve, given enough training",
                why="Training moves the weights, not the form of the scores: with linear scores the boundary "
                    "stays straight however long you train."),
         Option("A parabola", why="A parabola needs a squared feature; the scores are linear in \\(x\\).")],
        explain=r"It is where two scores are equal, \((w_a - w_c) \cdot x + b_a - b_c = 0\): a straight line. "
                "Curved boundaries need features, made by hand or learned by hidden layers.",
    ),
}

QUESTIONS["before-the-threshold"] = MultipleChoice(
    r"Before you move the slider: the network calls a point inner where the votes add up to more than "
    r"\(t\), \(h_1 + h_2 + h_3 > t\), with \(t = 1.62\). What happens to the inner region when you lower "
    r"\(t\) below 1?",
    [Option("It shrinks towards the centre",
            why="A lower threshold is easier to pass: every point that was inner stays inner, and more join."),
     Option("It grows, and reaches to infinity through the sides of the triangle", correct=True),
     Option("It grows, but stays a closed region around the inner circle",
            why="Go far away across one side of the triangle: one unit votes \\(-1\\) and the other two "
                "\\(+1\\). What is the sum there, and is it above a threshold below 1?"),
     Option("Nothing changes: the output bias does not matter once the network is trained",
            why="The threshold is the output bias divided by the weights; the rule compares the votes with "
                "it, so moving it moves the boundary.")],
    explain=r"Far across a side the sum of the votes is \(-1 + 1 + 1 = 1\), so once \(t < 1\) those far "
            r"points are inner too: the region opens up through the three sides. Above 1 it is closed, and "
            r"it shrinks as \(t\) grows.",
)

QUIZZES = {"check-yourself": ["weight-index", "regression-output", "softmax-boundary"],
           "before-the-threshold": ["before-the-threshold"]}
