"""Tutorial-style programs (see tutorial_programs.py): building a network, datasets and loaders, the
optimisation loop, saving and loading."""

from __future__ import annotations

import os

from tutorial_programs import program

# ----------------------------------------------------------------------------- building a network


@program(
    "device",
    "structure",
    "x_shape",
    "predicted_class",
    "sizes",
    "parameters",
    "param_rows",
    "softmax_sums",
    "accelerator",
)
def build_model(torch, workdir):
    nn = torch.nn
    out = {}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out["device"] = device
    accelerator = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    out["accelerator"] = accelerator

    class ImageClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.stack = nn.Sequential(
                nn.Linear(12 * 12, 64),
                nn.ReLU(),
                nn.Linear(64, 32),
                nn.ReLU(),
                nn.Linear(32, 5),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.stack(x)
            return logits

    torch.manual_seed(31)
    model = ImageClassifier().to(device)
    out["structure"] = str(model)
    X = torch.rand(2, 12, 12, device=device)
    out["x_shape"] = list(X.shape)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    out["logits"], out["probabilities"] = logits, pred_probab
    out["predicted_class"] = y_pred
    out["softmax_sums"] = [round(s, 5) for s in pred_probab.sum(1).tolist()]
    images = torch.rand(3, 12, 12)
    flatten = nn.Flatten()
    flat_images = flatten(images)
    layer1 = nn.Linear(in_features=12 * 12, out_features=10)
    hidden1 = layer1(flat_images)
    hidden1 = nn.ReLU()(hidden1)
    out["sizes"] = [list(images.size()), list(flat_images.size()), list(hidden1.size())]
    out["hidden1"] = hidden1
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(10, 4))
    out["seq_logits"] = nn.Softmax(dim=1)(seq_modules(torch.rand(3, 12, 12)))
    out["parameters"] = [(name, list(param.size())) for name, param in model.named_parameters()]
    out["param_rows"] = [param[:2].tolist() for name, param in model.named_parameters() if name.startswith("stack.4")]
    return out


@program("structure", "parameter_count", "conv1_weight_size", "grad_before", "grad_fn_chain", rtol=1e-4)
def blitz_neural_network(torch, workdir):
    """A LeNet-style net with conv, max-pool, view(-1, n), MSELoss, then manual and optim updates."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class SmallLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3)
            self.conv2 = nn.Conv2d(4, 8, 3)
            self.fc1 = nn.Linear(8 * 2 * 2, 20)
            self.fc2 = nn.Linear(20, 6)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            return self.fc2(x)

        def num_flat_features(self, x):
            size = x.size()[1:]
            count = 1
            for s in size:
                count *= s
            return count

    torch.manual_seed(32)
    net = SmallLeNet()
    out = {"structure": str(net)}
    params = list(net.parameters())
    out["parameter_count"] = len(params)
    out["conv1_weight_size"] = list(params[0].size())
    image = torch.randn(1, 1, 14, 14)
    result = net(image)
    out["first_output"] = result
    net.zero_grad()
    result.backward(torch.randn(1, 6))
    out["conv1_bias_grad_random"] = net.conv1.bias.grad
    output = net(image)
    target = torch.randn(6)
    target = target.view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    out["loss"] = loss
    out["grad_fn_chain"] = [
        loss.grad_fn is not None,
        loss.grad_fn.next_functions[0][0] is not None,
    ]
    net.zero_grad()
    out["grad_before"] = net.conv1.bias.grad is None
    loss.backward()
    out["conv1_bias_grad"] = net.conv1.bias.grad
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    out["after_manual_step"] = criterion(net(image), target)
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    output = net(image)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    out["after_sgd_step"] = criterion(net(image), target)
    return out


# --------------------------------------------------------------------------- datasets and loaders


def _make_dataset(torch):
    Dataset = torch.utils.data.Dataset

    class NoisyBars(Dataset):
        """Images of one bright row (the label) in noise: a synthetic stand-in for an image folder."""

        def __init__(self, count, classes=4, size=6, transform=None, target_transform=None, seed=0):
            generator = torch.Generator().manual_seed(seed)
            self.images = torch.rand(count, 1, size, size, generator=generator) * 0.5
            self.labels = torch.randint(0, classes, (count,), generator=generator)
            for i in range(count):
                self.images[i, 0, self.labels[i].item()] += 1.0
            self.transform = transform
            self.target_transform = target_transform

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image = self.images[idx]
            label = self.labels[idx].item()
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    return NoisyBars


@program(
    "length",
    "sample_index",
    "sample_label",
    "feature_shape",
    "label_shape",
    "label_dtype",
    "labels",
    "first_image",
    "one_hot",
    "batches",
    "last_batch",
    "squeezed_shape",
)
def datasets_and_loaders(torch, workdir):
    DataLoader = torch.utils.data.DataLoader
    NoisyBars = _make_dataset(torch)
    out = {}
    training_data = NoisyBars(50, seed=1)
    out["length"] = len(training_data)
    torch.manual_seed(41)
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    _img, label = training_data[sample_idx]
    out["sample_index"], out["sample_label"] = sample_idx, label
    train_dataloader = DataLoader(training_data, batch_size=8, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    out["feature_shape"] = list(train_features.size())
    out["label_shape"] = list(train_labels.size())
    out["label_dtype"] = str(train_labels.dtype)
    out["labels"] = train_labels
    out["first_image"] = train_features[0].squeeze()
    out["squeezed_shape"] = list(train_features[0].squeeze().shape)
    out["batches"] = len(train_dataloader)
    out["last_batch"] = [list(x.shape) for x in list(train_dataloader)[-1]]
    one_hot = NoisyBars(
        5, target_transform=lambda y: torch.zeros(4, dtype=torch.float).scatter_(0, torch.tensor(y), value=1), seed=2
    )
    out["one_hot"] = [one_hot[i][1] for i in range(3)]
    return out


@program("batches", "sizes", "report_lines", "initial_weight", rtol=1e-4, atol=1e-5)
def optimization_loop(torch, workdir):
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    NoisyBars = _make_dataset(torch)
    torch.manual_seed(42)
    training_data, test_data = NoisyBars(96, seed=3), NoisyBars(40, seed=4)
    batch_size = 16
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    class BarNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(36, 24), nn.ReLU(), nn.Linear(24, 4))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    model = BarNet()
    out = {"initial_weight": model.linear_relu_stack[2].weight.clone(), "report_lines": [], "sizes": []}
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    out["batches"] = (len(train_dataloader), len(test_dataloader))
    train_losses, test_results = [], []

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if batch % 2 == 0:
                loss, current = loss.item(), batch * batch_size + len(X)
                train_losses.append(loss)
                out["report_lines"].append(f"[{current:>5d}/{size:>5d}]")
                out["sizes"].append(size)

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        test_results.append((test_loss, correct, f"Accuracy: {(100 * correct):>0.1f}%"))

    for _epoch in range(4):
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    out["train_losses"] = train_losses
    out["test_losses"] = [t[0] for t in test_results]
    out["accuracy"] = [t[2] for t in test_results]
    return out


# ------------------------------------------------------------------------------ saving and loading


@program("keys", "same_output", "predicted", "loaded_equal", "whole_model_output_equal")
def save_and_load(torch, workdir):
    nn = torch.nn
    torch.manual_seed(51)

    def make():
        return nn.Sequential(nn.Flatten(), nn.Linear(9, 6), nn.ReLU(), nn.Linear(6, 3))

    model = make()
    path = os.path.join(workdir, "model_weights.pth")
    torch.save(model.state_dict(), path)
    fresh = make()
    fresh.load_state_dict(torch.load(path))
    fresh.eval()
    fresh_again = make()
    fresh_again.load_state_dict(torch.load(path, weights_only=True))
    out = {"keys": list(torch.load(path).keys())}
    x = torch.rand(2, 3, 3)
    out["same_output"] = bool(torch.equal(model(x), fresh(x))) and bool(torch.equal(model(x), fresh_again(x)))
    out["loaded_equal"] = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), torch.load(path).values()))
    classes = ["left", "middle", "right"]
    with torch.no_grad():
        pred = fresh(x[:1])
        out["predicted"] = classes[pred[0].argmax(0)]
    whole = os.path.join(workdir, "model.pth")
    torch.save(model, whole)
    restored = torch.load(whole, weights_only=False)
    out["whole_model_output_equal"] = bool(torch.equal(restored(x), model(x)))
    return out
