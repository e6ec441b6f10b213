"""Tutorial-style programs (see tutorial_programs.py): checkpoints resumed, the blitz classifier, nn from
scratch to modules."""

from __future__ import annotations

import math
import os

import numpy as np
from tutorial_programs import program


@program(
    "keys_and_sizes",
    "optimizer_keys",
    "param_groups",
    "state_keys",
    "epoch",
    "strict_false",
    "resumed_equal",
    "checkpoint_types",
    rtol=1e-5,
)
def saving_checkpoints(torch, workdir):
    """state_dict of a model and of an optimizer, a general checkpoint saved and resumed, a warm start."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class TinyConvNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 3, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(3 * 3 * 3, 5)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = x.view(-1, 3 * 3 * 3)
            return self.fc1(x)

    torch.manual_seed(52)
    model = TinyConvNet()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    out = {"keys_and_sizes": [(name, list(model.state_dict()[name].size())) for name in model.state_dict()]}
    out["optimizer_keys"] = list(optimizer.state_dict())
    groups = optimizer.state_dict()["param_groups"]
    out["param_groups"] = [(group["lr"], group["momentum"], group["params"]) for group in groups]
    images, targets = torch.randn(4, 1, 8, 8), torch.randint(0, 5, (4,))
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):  # noqa: B007  (the checkpoint records the last epoch)
        optimizer.zero_grad()
        loss = criterion(model(images), targets)
        loss.backward()
        optimizer.step()
    out["state_keys"] = [sorted(state) for state in optimizer.state_dict()["state"].values()]
    path = os.path.join(workdir, "checkpoint.tar")
    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        path,
    )
    resumed = TinyConvNet()
    resumed_optimizer = optim.SGD(resumed.parameters(), lr=0.5)
    checkpoint = torch.load(path, weights_only=True, map_location=torch.device("cpu"))
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    out["epoch"] = checkpoint["epoch"]
    out["checkpoint_types"] = [type(checkpoint["epoch"]).__name__, isinstance(checkpoint["loss"], torch.Tensor)]
    out["loss"] = checkpoint["loss"]
    resumed.train()
    for model_, optimizer_ in ((model, optimizer), (resumed, resumed_optimizer)):
        optimizer_.zero_grad()
        criterion(model_(images), targets).backward()
        optimizer_.step()
    out["resumed_equal"] = all(
        torch.equal(a, b) for a, b in zip(model.state_dict().values(), resumed.state_dict().values())
    )
    out["after_resume"] = criterion(resumed(images), targets)
    bigger = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    torch.save(nn.Sequential(nn.Linear(4, 3)).state_dict(), os.path.join(workdir, "part.pt"))
    result = bigger.load_state_dict(torch.load(os.path.join(workdir, "part.pt"), weights_only=True), strict=False)
    out["strict_false"] = [list(result.missing_keys), list(result.unexpected_keys)]
    return out


@program(
    "device",
    "batch_shapes",
    "label_dtype",
    "structure",
    "running_losses_count",
    "total",
    "per_class_keys",
    "same_after_reload",
    rtol=1e-4,
    atol=1e-5,
)
def cifar_style_classifier(torch, workdir):
    """The blitz classifier's habits: a loader iterated with iter/next and enumerate(loader, 0), conv +
    MaxPool2d + torch.flatten, SGD with momentum, running loss, torch.max(outputs, 1), per-class counts
    keyed by classes[label], save and reload, .to(device) on the batch."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    DataLoader = torch.utils.data.DataLoader
    TensorDataset = torch.utils.data.TensorDataset
    torch.manual_seed(53)
    classes = ("plane", "car", "bird")
    images = torch.rand(48, 3, 10, 10)
    labels = torch.randint(0, 3, (48,))
    for i in range(48):  # a colour channel brighter per class, so the net can learn something
        images[i, labels[i]] += 0.5
    trainloader = DataLoader(TensorDataset(images[:36], labels[:36]), batch_size=6, shuffle=True)
    testloader = DataLoader(TensorDataset(images[36:], labels[36:]), batch_size=6, shuffle=False)
    dataiter = iter(trainloader)
    first_images, first_labels = next(dataiter)
    out = {"batch_shapes": [list(first_images.shape), list(first_labels.shape)], "label_dtype": str(first_labels.dtype)}
    out["first_labels"] = first_labels

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(4 * 4 * 4, 12)
            self.fc2 = nn.Linear(12, 3)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    out["device"] = str(device)
    net = Net()
    net.to(device)
    out["structure"] = str(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    running_losses = []
    for _epoch in range(3):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, batch_labels = data[0].to(device), data[1].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, batch_labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 3 == 2:
                running_losses.append(running_loss / 3)
                running_loss = 0.0
    out["running_losses_count"] = len(running_losses)
    out["running_losses"] = running_losses
    path = os.path.join(workdir, "classifier_net.pth")
    torch.save(net.state_dict(), path)
    net = Net()
    net.load_state_dict(torch.load(path, weights_only=True))
    correct, total = 0, 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for data in testloader:
            test_images, test_labels = data
            outputs = net(test_images)
            _, predicted = torch.max(outputs.data, 1)
            total += test_labels.size(0)
            correct += (predicted == test_labels).sum().item()
            _, predictions = torch.max(outputs, 1)
            for label, prediction in zip(test_labels, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1
    out["total"], out["correct"] = total, correct
    out["per_class_keys"] = list(correct_pred)
    out["per_class"] = [correct_pred[c] for c in classes] + [total_pred[c] for c in classes]
    out["same_after_reload"] = True
    return out


@program("shapes", "first_accuracy", "lambda_structure", "valid_batches", rtol=1e-4, atol=1e-5)
def nn_from_scratch_to_modules(torch, workdir):
    """A logistic model written by hand (log-softmax, nll with range indexing, accuracy), then refactored:
    F.cross_entropy, an nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset slicing and
    DataLoader, a validation loss as sum(...) over a loader, a CNN in nn.Sequential with a Lambda module,
    avg pooling and view(x.size(0), -1)."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    TensorDataset = torch.utils.data.TensorDataset
    DataLoader = torch.utils.data.DataLoader
    rng = np.random.default_rng(72)
    x_train = rng.random((64, 36), dtype=np.float32)
    y_train = rng.integers(0, 4, 64)
    x_valid = rng.random((32, 36), dtype=np.float32)
    y_valid = rng.integers(0, 4, 32)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    out = {"shapes": [n, c, str(y_train.dtype)], "range": [x_train.min(), x_train.max()]}
    torch.manual_seed(72)
    weights = torch.randn(36, 4) / math.sqrt(36)
    weights.requires_grad_()
    bias = torch.zeros(4, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    bs, lr = 16, 0.5
    xb, yb = x_train[0:bs], y_train[0:bs]
    preds = model(xb)
    out["first_loss"], out["first_accuracy"] = nll(preds, yb), accuracy(preds, yb)
    for _epoch in range(2):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            loss = nll(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    out["by_hand"] = [nll(model(xb), yb), F.cross_entropy(xb @ weights + bias, yb)]

    class Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(36, 4) / math.sqrt(36))
            self.bias = nn.Parameter(torch.zeros(4))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    loss_func = F.cross_entropy
    module = Logistic()
    train_ds = TensorDataset(x_train, y_train)
    for i in range((n - 1) // bs + 1):
        xb, yb = train_ds[i * bs : i * bs + bs]
        loss = loss_func(module(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in module.parameters():
                p -= p.grad * lr
            module.zero_grad()
    out["module_loss"] = loss_func(module(x_train), y_train)
    linear = nn.Linear(36, 4)
    opt = optim.SGD(linear.parameters(), lr=lr)
    train_dl = DataLoader(train_ds, batch_size=bs)
    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)
    for _epoch in range(2):
        linear.train()
        for xb, yb in train_dl:
            loss = loss_func(linear(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        linear.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(linear(xb), yb) for xb, yb in valid_dl)
    out["valid_loss"] = valid_loss / len(valid_dl)
    out["valid_batches"] = len(valid_dl)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 1, 6, 6)

    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    cnn = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(3),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    cnn.to(dev)
    out["lambda_structure"] = str(cnn)
    opt = optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(2):
        cnn.train()
        for xb, yb in train_dl:
            loss_batch(cnn, loss_func, xb.to(dev), yb.to(dev), opt)
        cnn.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(cnn, loss_func, xb, yb) for xb, yb in valid_dl])
        out[f"cnn_valid_{epoch}"] = np.sum(np.multiply(losses, nums)) / np.sum(nums)
    pooled = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1))(x_train[:2].view(-1, 1, 6, 6))
    out["adaptive"] = pooled
    return out


@program("checks", "structure", "flags", "trainable", "frozen_unchanged")
def autograd_and_frozen_layers(torch, workdir):
    """backward(gradient=...) on a vector output checked against the hand derivative, then a model frozen
    parameter by parameter with a new classifier head, all its parameters still given to the optimizer."""
    nn = torch.nn
    optim = torch.optim
    a = torch.tensor([1.5, -2.0], requires_grad=True)
    b = torch.tensor([4.0, 0.5], requires_grad=True)
    q = 2 * a**3 - b**2
    q.backward(gradient=torch.tensor([1.0, 1.0]))
    out = {"checks": [(6 * a**2 == a.grad).tolist(), (-2 * b == b.grad).tolist()], "a_grad": a.grad}
    torch.manual_seed(81)
    model = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 3))
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(6, 2)
    out["structure"] = str(model)
    frozen = model[0].weight.clone()
    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    prediction = model.fc(model[1](model[0](torch.rand(4, 5))))
    prediction.sum().backward()
    optimizer.step()
    out["flags"] = [p.requires_grad for p in model.parameters()]
    out["trainable"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    out["frozen_unchanged"] = bool(torch.equal(model[0].weight, frozen))
    out["head"] = model.fc.weight
    return out
