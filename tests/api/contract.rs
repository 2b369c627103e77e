//! `schema.graphql` keeps the partner read contract: every type, enum value, interface
//! implementation, union member, field, argument and input field of the contract exists with
//! the same type (nullability and lists included). The schema may add to it: fields,
//! optional arguments, descriptions, types.
//!
//! `tests/contract.graphql` is a copy of the shared contract (`/work/shared/contract.graphql`),
//! kept in the repository so CI can read it; copy it again when the contract changes.

use std::fmt;
use std::path::Path;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{InputValueDefinition, TypeKind, TypeSystemDefinition};
use async_graphql::parser::{Positioned, types::FieldDefinition};

/// Contract items that belong to a later issue, skipped until it lands (none at present). An entry names a type (`CaseStatistics`) or a field (`Query.statistics`) and
/// covers everything under it. Remove entries as they are implemented: the test fails when
/// an entry no longer hides anything, so this list can only shrink.
const NOT_YET_IMPLEMENTED: &[&str] = &[];

#[test]
fn schema_graphql_keeps_the_partner_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |name: &str| {
        std::fs::read_to_string(root.join(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
    };
    let contract = read("tests/contract.graphql");
    let problems = contract_problems(&contract, &read("schema.graphql"));

    let mut report: Vec<String> = problems
        .iter()
        .filter(|problem| !NOT_YET_IMPLEMENTED.iter().any(|entry| problem.is_under(entry)))
        .map(|problem| format!("  - {problem}"))
        .collect();
    let contract_items = shapes(&contract).expect("contract.graphql parses");
    for entry in NOT_YET_IMPLEMENTED {
        let (type_name, field) =
            entry.split_once('.').map_or((*entry, None), |(name, field)| (name, Some(field)));
        let named = contract_items
            .iter()
            .any(|(name, shape)| name == type_name && field.is_none_or(|field| shape.field(field).is_some()));
        if !named {
            report.push(format!("  - NOT_YET_IMPLEMENTED: `{entry}` is not in the contract"));
        } else if !problems.iter().any(|problem| problem.is_under(entry)) {
            report.push(format!(
                "  - NOT_YET_IMPLEMENTED: `{entry}` now keeps the contract; remove it from the list"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "schema.graphql breaks the partner contract (tests/contract.graphql) in {} place(s):\n{}",
        report.len(),
        report.join("\n")
    );
}

/// One way `schema` fails the contract.
#[derive(Debug, PartialEq)]
struct Problem {
    /// `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE`.
    path: String,
    message: String,
}

impl Problem {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }

    /// Whether this problem is about `entry` (a type or field path) or something inside it.
    fn is_under(&self, entry: &str) -> bool {
        self.path == entry
            || self
                .path
                .strip_prefix(entry)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('('))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.message)
    }
}

/// A named type of an SDL document, reduced to what the contract constrains.
#[derive(Debug, Default)]
struct TypeShape {
    kind: &'static str,
    implements: Vec<String>,
    /// Union members or enum values.
    members: Vec<String>,
    /// Fields of objects and interfaces, or input fields.
    fields: Vec<FieldShape>,
}

impl TypeShape {
    fn field(&self, name: &str) -> Option<&FieldShape> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// A field, an argument or an input field.
#[derive(Debug)]
struct FieldShape {
    name: String,
    /// As written in SDL, e.g. `[String!]!`.
    ty: String,
    default: Option<String>,
    arguments: Vec<FieldShape>,
}

impl FieldShape {
    fn of_field(field: &Positioned<FieldDefinition>) -> Self {
        Self {
            name: field.node.name.node.to_string(),
            ty: field.node.ty.node.to_string(),
            default: None,
            arguments: field.node.arguments.iter().map(Self::of_input).collect(),
        }
    }

    fn of_input(input: &Positioned<InputValueDefinition>) -> Self {
        Self {
            name: input.node.name.node.to_string(),
            ty: input.node.ty.node.to_string(),
            default: input.node.default_value.as_ref().map(|value| value.node.to_string()),
            arguments: Vec::new(),
        }
    }

    /// Whether a caller may leave it out.
    fn is_optional(&self) -> bool {
        self.default.is_some() || !self.ty.ends_with('!')
    }
}

/// The named types of `sdl`, in document order, with type extensions merged in.
fn shapes(sdl: &str) -> Result<Vec<(String, TypeShape)>, String> {
    let document = parse_schema(sdl).map_err(|error| error.to_string())?;
    let mut shapes: Vec<(String, TypeShape)> = Vec::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else { continue };
        let definition = definition.node;
        let name = definition.name.node.to_string();
        let index = match shapes.iter().position(|(existing, _)| *existing == name) {
            Some(index) => index,
            None => {
                shapes.push((name, TypeShape::default()));
                shapes.len() - 1
            }
        };
        let shape = &mut shapes[index].1;
        let names = |names: &[Positioned<async_graphql::Name>]| {
            names.iter().map(|name| name.node.to_string()).collect::<Vec<_>>()
        };
        match &definition.kind {
            TypeKind::Scalar => shape.kind = "scalar",
            TypeKind::Object(object) => {
                shape.kind = "type";
                shape.implements.extend(names(&object.implements));
                shape.fields.extend(object.fields.iter().map(FieldShape::of_field));
            }
            TypeKind::Interface(interface) => {
                shape.kind = "interface";
                shape.implements.extend(names(&interface.implements));
                shape.fields.extend(interface.fields.iter().map(FieldShape::of_field));
            }
            TypeKind::Union(union) => {
                shape.kind = "union";
                shape.members.extend(names(&union.members));
            }
            TypeKind::Enum(enumeration) => {
                shape.kind = "enum";
                shape
                    .members
                    .extend(enumeration.values.iter().map(|value| value.node.value.node.to_string()));
            }
            TypeKind::InputObject(input) => {
                shape.kind = "input";
                shape.fields.extend(input.fields.iter().map(FieldShape::of_input));
            }
        }
    }
    Ok(shapes)
}

/// Everything in `contract` that `schema` lacks or types differently, in contract order.
fn contract_problems(contract: &str, schema: &str) -> Vec<Problem> {
    let contract = match shapes(contract) {
        Ok(shapes) => shapes,
        Err(error) => return vec![Problem::new("contract", format!("does not parse: {error}"))],
    };
    let schema = match shapes(schema) {
        Ok(shapes) => shapes,
        Err(error) => return vec![Problem::new("schema", format!("does not parse: {error}"))],
    };
    let mut problems = Vec::new();
    for (name, wanted) in &contract {
        let Some((_, actual)) = schema.iter().find(|(existing, _)| existing == name) else {
            problems.push(Problem::new(name, format!("missing {}", wanted.kind)));
            continue;
        };
        if actual.kind != wanted.kind {
            problems.push(Problem::new(
                name,
                format!("is declared as `{}` here, the contract has `{}`", actual.kind, wanted.kind),
            ));
            continue;
        }
        for interface in wanted.implements.iter().filter(|interface| !actual.implements.contains(interface)) {
            problems.push(Problem::new(name, format!("does not implement {interface}")));
        }
        for member in wanted.members.iter().filter(|member| !actual.members.contains(member)) {
            match wanted.kind {
                "enum" => problems.push(Problem::new(format!("{name}.{member}"), "missing enum value")),
                _ => problems.push(Problem::new(name, format!("missing union member {member}"))),
            }
        }
        if wanted.kind == "input" {
            compare_inputs(name, "input field", &wanted.fields, &actual.fields, &mut problems);
            continue;
        }
        for field in &wanted.fields {
            let path = format!("{name}.{}", field.name);
            let Some(found) = actual.field(&field.name) else {
                problems.push(Problem::new(path, format!("missing field (contract: `{}`)", field.ty)));
                continue;
            };
            if found.ty != field.ty {
                problems
                    .push(Problem::new(&path, format!("is `{}`, the contract has `{}`", found.ty, field.ty)));
            }
            compare_inputs(&path, "argument", &field.arguments, &found.arguments, &mut problems);
        }
    }
    problems
}

/// Compares the arguments of a field, or the fields of an input type, at `path`.
fn compare_inputs(
    path: &str,
    noun: &str,
    wanted: &[FieldShape],
    actual: &[FieldShape],
    problems: &mut Vec<Problem>,
) {
    let item_path = |name: &str| match noun {
        "argument" => format!("{path}({name})"),
        _ => format!("{path}.{name}"),
    };
    for input in wanted {
        let Some(found) = actual.iter().find(|found| found.name == input.name) else {
            problems.push(Problem::new(
                item_path(&input.name),
                format!("missing {noun} (contract: `{}`)", input.ty),
            ));
            continue;
        };
        if found.ty != input.ty {
            problems.push(Problem::new(
                item_path(&input.name),
                format!("is `{}`, the contract has `{}`", found.ty, input.ty),
            ));
        }
        if input.default.is_some() && found.default != input.default {
            let found_default = found.default.as_deref().unwrap_or("none");
            let wanted_default = input.default.as_deref().unwrap_or_default();
            problems.push(Problem::new(
                item_path(&input.name),
                format!("default is {found_default}, the contract has {wanted_default}"),
            ));
        }
    }
    // Additions are fine as long as contract callers, who never send them, still succeed.
    for extra in actual.iter().filter(|extra| !extra.is_optional()) {
        if !wanted.iter().any(|input| input.name == extra.name) {
            problems.push(Problem::new(
                item_path(&extra.name),
                format!("required {noun} `{}` is not in the contract", extra.ty),
            ));
        }
    }
}

// The checker itself must be able to fail.

const SMALL_CONTRACT: &str = r#"
    interface Node { id: ID! }
    enum Status { DRAFT PUBLISHED }
    type Case implements Node { id: ID! title: String! tags: [String!]! related(first: Int): [Case!]! }
    union Result = Case
    input Filter { statuses: [Status!] search: String }
    type Query { cases(first: Int, filter: Filter): [Case!]! }
"#;

fn problems_against(schema: &str) -> Vec<String> {
    contract_problems(SMALL_CONTRACT, schema).iter().map(ToString::to_string).collect()
}

#[test]
fn the_checker_accepts_a_schema_that_only_adds() {
    let schema = r#"
        """Described."""
        interface Node { "The id." id: ID! }
        enum Status { DRAFT PUBLISHED ARCHIVED }
        type Case implements Node {
            id: ID!
            title: String!
            summary: String
            tags: [String!]!
            related(first: Int, offset: Int! = 0, locale: String): [Case!]!
        }
        type Extra { value: Int }
        union Result = Case | Extra
        input Filter { statuses: [Status!] search: String tags: [String!] }
        type Query { cases(first: Int, filter: Filter, last: Int): [Case!]! extra: Extra }
    "#;
    assert_eq!(problems_against(schema), Vec::<String>::new());
}

#[test]
fn the_checker_reports_a_missing_field() {
    let schema = SMALL_CONTRACT.replace("title: String! ", "");
    assert_eq!(problems_against(&schema), ["Case.title: missing field (contract: `String!`)"]);
}

#[test]
fn the_checker_reports_a_changed_nullability() {
    let schema = SMALL_CONTRACT.replace("title: String!", "title: String").replace("[String!]!", "[String]!");
    assert_eq!(
        problems_against(&schema),
        [
            "Case.title: is `String`, the contract has `String!`",
            "Case.tags: is `[String]!`, the contract has `[String!]!`",
        ]
    );
}

#[test]
fn the_checker_reports_a_missing_or_newly_required_argument() {
    let schema = SMALL_CONTRACT
        .replace("related(first: Int)", "related(first: Int!)")
        .replace("first: Int, filter", "filter");
    assert_eq!(
        problems_against(&schema),
        [
            "Case.related(first): is `Int!`, the contract has `Int`",
            "Query.cases(first): missing argument (contract: `Int`)",
        ]
    );
    let schema = SMALL_CONTRACT.replace("related(first: Int)", "related(first: Int, offset: Int!)");
    assert_eq!(
        problems_against(&schema),
        ["Case.related(offset): required argument `Int!` is not in the contract"]
    );
}

#[test]
fn the_checker_reports_missing_enum_values_members_interfaces_input_fields_and_types() {
    let schema = SMALL_CONTRACT
        .replace("DRAFT PUBLISHED", "DRAFT")
        .replace("implements Node ", "")
        .replace("union Result = Case", "union Result = Query")
        .replace("search: String", "")
        .replace("interface Node", "type Node");
    assert_eq!(
        problems_against(&schema),
        [
            "Node: is declared as `type` here, the contract has `interface`",
            "Status.PUBLISHED: missing enum value",
            "Case: does not implement Node",
            "Result: missing union member Case",
            "Filter.search: missing input field (contract: `String`)",
        ]
    );
    assert_eq!(problems_against("type Query { other: Int }")[0], "Node: missing interface");
}

#[test]
fn an_allow_list_entry_covers_its_fields_and_arguments_only() {
    let problem = Problem::new("Query.statistics(filter)", "missing argument");
    assert!(problem.is_under("Query.statistics"));
    assert!(problem.is_under("Query"));
    assert!(!problem.is_under("Query.stat"));
    assert!(!Problem::new("CaseStatisticsExtra", "missing type").is_under("CaseStatistics"));
}
