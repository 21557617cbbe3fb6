// The bookshelf page: plain JavaScript over the JSON API, no framework and no build step.
"use strict";

const state = { page: 0, size: 10, sort: "title", title: "", author: "" };
const $ = (id) => document.getElementById(id);

async function loadBooks() {
  const query = new URLSearchParams({
    page: state.page, size: state.size, sort: state.sort, title: state.title, author: state.author,
  });
  const response = await fetch(`api/books?${query}`, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    showProblem(await response.json());
    return;
  }
  const { content, page } = await response.json();
  $("books").replaceChildren(...content.map(bookRow));
  if (content.length === 0) {
    const empty = document.createElement("tr");
    empty.innerHTML = '<td colspan="4">No books match.</td>';
    $("books").append(empty);
  }
  $("page-info").textContent = `Page ${page.number + 1} of ${Math.max(page.totalPages, 1)} · ${page.totalElements} book${page.totalElements === 1 ? "" : "s"}`;
  $("prev").disabled = page.number === 0;
  $("next").disabled = page.number + 1 >= page.totalPages;
  document.querySelectorAll("button.sort").forEach((b) =>
    b.setAttribute("aria-sort", b.dataset.sort === state.sort ? "ascending" : "none"));
}

function bookRow(book) {
  const row = document.createElement("tr");
  for (const [value, css] of [[book.title], [book.author], [book.publicationYear], [book.isbn, "isbn"]]) {
    const cell = document.createElement("td");
    cell.textContent = value;
    if (css) cell.className = css;
    row.append(cell);
  }
  return row;
}

function showProblem(problem) {
  const box = $("message");
  box.className = "error";
  const fieldErrors = Array.isArray(problem.errors);
  box.textContent = fieldErrors ? `${problem.title}:` : `${problem.title}: ${problem.detail}`;
  if (fieldErrors) {
    const list = document.createElement("ul");
    for (const { field, message } of problem.errors) {
      const item = document.createElement("li");
      item.textContent = `${field} ${message}`;
      list.append(item);
    }
    box.append(list);
  }
}

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  Object.assign(state, { page: 0, title: form.get("title").trim(), author: form.get("author").trim() });
  loadBooks();
});

$("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const book = Object.fromEntries(form);
  book.publicationYear = book.publicationYear === "" ? null : Number(book.publicationYear);
  const response = await fetch("api/books", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(book),
  });
  const body = await response.json();
  if (!response.ok) {
    showProblem(body);
    return;
  }
  $("message").className = "ok";
  $("message").textContent = `Added “${body.title}” as book ${body.id}.`;
  event.target.reset();
  loadBooks();
});

document.querySelectorAll("button.sort").forEach((button) =>
  button.addEventListener("click", () => {
    Object.assign(state, { page: 0, sort: button.dataset.sort });
    loadBooks();
  }));
$("prev").addEventListener("click", () => { state.page -= 1; loadBooks(); });
$("next").addEventListener("click", () => { state.page += 1; loadBooks(); });

loadBooks();
