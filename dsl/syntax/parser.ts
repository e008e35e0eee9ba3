/**
 * The grammar of the expression language: a Chevrotain CST parser with no semantics, one instance,
 * error recovery on, and three start rules (`expression`, `action`, `unaryTests`). The CST is
 * turned into the AST by `ast-builder.ts`.
 */
import { CstParser, type IOrAlt, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import * as t from "./tokens.js";

const TOKEN_LABELS: Record<string, string> = {
  Identifier: "um nome",
  StringLiteral: "um texto entre aspas",
  NumberLiteral: "um número",
  DateLiteral: "uma data",
  DateTimeLiteral: "uma data-hora",
  DurationLiteral: "uma duração",
  ComparisonOperator: "um operador de comparação",
  AdditiveOperator: "'+' ou '-'",
  MultiplicativeOperator: "'*', '/' ou '%'",
  Equal: "'=='",
  NotEqual: "'!='",
  Less: "'<'",
  LessEqual: "'<='",
  Greater: "'>'",
  GreaterEqual: "'>='",
  Assign: "'='",
  PlusAssign: "'+='",
  LParen: "'('",
  RParen: "')'",
  LBracket: "'['",
  RBracket: "']'",
  LBrace: "'{'",
  RBrace: "'}'",
  Comma: "','",
  Dot: "'.'",
  DotDot: "'..'",
  Colon: "':'",
};

/** Portuguese label of a token type, for messages. */
export function tokenLabel(type: TokenType): string {
  const label = TOKEN_LABELS[type.name];
  if (label) return label;
  // Keywords are matched by functions (see tokens.ts); their spelling is their name in lower case.
  if (typeof type.PATTERN === "function") return `'${type.name.toLowerCase()}'`;
  const src = type.PATTERN instanceof RegExp ? type.PATTERN.source : String(type.PATTERN);
  return `'${src}'`;
}

function describe(token: IToken): string {
  return token.tokenType.name === "EOF" ? "o fim da expressão" : `'${token.image}'`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `esperava ${tokenLabel(expected)}, mas encontrou ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `não esperava ${describe(firstRedundant)} aqui: a expressão já terminou`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const found = actual[0] ? describe(actual[0]) : "o fim da expressão";
    const what = ruleName === "unaryTest" || ruleName === "unaryTests" ? "um teste de célula" : "um valor";
    return `esperava ${what}, mas encontrou ${found}`;
  },
  buildEarlyExitMessage({ actual }) {
    const found = actual[0] ? describe(actual[0]) : "o fim da expressão";
    return `esperava pelo menos um item, mas encontrou ${found}`;
  },
};

class ExpressionParser extends CstParser {
  constructor() {
    super(t.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 4,
      nodeLocationTracking: "full",
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  /**
   * Each `OR`'s alternatives, built once and reused (Chevrotain's advice for speed): building the
   * array and its closures on every call was most of the time of parsing a short table cell. The
   * closures only call the parser's methods, so one array serves every parse.
   */
  private readonly alternativesCache = new Map<string, IOrAlt<unknown>[]>();

  private alternatives(key: string, make: () => IOrAlt<unknown>[]): IOrAlt<unknown>[] {
    let alts = this.alternativesCache.get(key);
    if (!alts) {
      alts = make();
      this.alternativesCache.set(key, alts);
    }
    return alts;
  }

  expression = this.RULE("expression", () => {
    this.OR(
      this.alternatives("expression.OR", () => [
        { ALT: () => this.SUBRULE(this.ifExpression) },
        { ALT: () => this.SUBRULE(this.forExpression) },
        { ALT: () => this.SUBRULE(this.orExpression) },
      ]),
    );
  });

  ifExpression = this.RULE("ifExpression", () => {
    this.CONSUME(t.If);
    this.SUBRULE(this.expression, { LABEL: "test" });
    this.CONSUME(t.Then);
    this.SUBRULE2(this.expression, { LABEL: "consequent" });
    this.CONSUME(t.Else);
    this.SUBRULE3(this.expression, { LABEL: "alternate" });
  });

  forExpression = this.RULE("forExpression", () => {
    this.CONSUME(t.For);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.In);
    this.SUBRULE(this.expression, { LABEL: "source" });
    this.OPTION(() => {
      this.CONSUME(t.Where);
      this.SUBRULE3(this.expression, { LABEL: "filter" });
    });
    this.CONSUME(t.Return);
    this.SUBRULE2(this.expression, { LABEL: "body" });
  });

  orExpression = this.RULE("orExpression", () => {
    this.SUBRULE(this.andExpression, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.Or);
      this.SUBRULE2(this.andExpression, { LABEL: "operands" });
    });
  });

  andExpression = this.RULE("andExpression", () => {
    this.SUBRULE(this.notExpression, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.And);
      this.SUBRULE2(this.notExpression, { LABEL: "operands" });
    });
  });

  notExpression = this.RULE("notExpression", () => {
    this.OR(
      this.alternatives("notExpression.OR", () => [
        {
          ALT: () => {
            this.CONSUME(t.Not);
            this.SUBRULE(this.notExpression);
          },
        },
        { ALT: () => this.SUBRULE(this.comparison) },
      ]),
    );
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, { LABEL: "left" });
    this.OPTION(() => {
      this.OR(
        this.alternatives("comparison.OR", () => [
          {
            ALT: () => {
              this.CONSUME(t.ComparisonOperator);
              this.SUBRULE2(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.Not);
              this.CONSUME(t.In);
              this.SUBRULE3(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME2(t.In);
              this.SUBRULE4(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.Contains);
              this.SUBRULE5(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.Starts);
              this.CONSUME(t.With);
              this.SUBRULE6(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.Matches);
              this.SUBRULE7(this.additive, { LABEL: "right" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.Is);
              this.OPTION2(() => this.CONSUME2(t.Not));
              this.CONSUME(t.Null);
            },
          },
        ]),
      );
    });
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.AdditiveOperator);
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.prefix, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.MultiplicativeOperator);
      this.SUBRULE2(this.prefix, { LABEL: "operands" });
    });
  });

  prefix = this.RULE("prefix", () => {
    this.OR(
      this.alternatives("prefix.OR", () => [
        {
          ALT: () => {
            this.CONSUME(t.Minus);
            this.SUBRULE(this.prefix);
          },
        },
        { ALT: () => this.SUBRULE(this.postfix) },
      ]),
    );
  });

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR(
        this.alternatives("postfix.OR", () => [
          {
            ALT: () => {
              this.CONSUME(t.Dot);
              this.CONSUME(t.Identifier, { LABEL: "member" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(t.LBracket);
              this.SUBRULE(this.expression, { LABEL: "index" });
              this.CONSUME(t.RBracket);
            },
          },
        ]),
      );
    });
  });

  primary = this.RULE("primary", () => {
    this.OR(
      this.alternatives("primary.OR", () => [
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            this.SUBRULE(this.expression);
            this.CONSUME(t.RParen);
          },
        },
        { ALT: () => this.SUBRULE(this.listLiteral) },
        { ALT: () => this.SUBRULE(this.recordLiteral) },
      ]),
    );
  });

  literal = this.RULE("literal", () => {
    this.OR(
      this.alternatives("literal.OR", () => [
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.NumberLiteral) },
        { ALT: () => this.CONSUME(t.DateTimeLiteral) },
        { ALT: () => this.CONSUME(t.DateLiteral) },
        { ALT: () => this.CONSUME(t.DurationLiteral) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Null) },
      ]),
    );
  });

  nameOrCall = this.RULE("nameOrCall", () => {
    this.CONSUME(t.Identifier);
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.expression, { LABEL: "args" });
        this.MANY(() => {
          this.CONSUME(t.Comma);
          this.SUBRULE2(this.expression, { LABEL: "args" });
        });
      });
      this.CONSUME(t.RParen);
    });
  });

  listLiteral = this.RULE("listLiteral", () => {
    this.CONSUME(t.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: "items" });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression, { LABEL: "items" });
      });
    });
    this.CONSUME(t.RBracket);
  });

  recordLiteral = this.RULE("recordLiteral", () => {
    this.CONSUME(t.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.recordField, { LABEL: "fields" });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.recordField, { LABEL: "fields" });
      });
    });
    this.CONSUME(t.RBrace);
  });

  recordField = this.RULE("recordField", () => {
    this.OR(
      this.alternatives("recordField.OR", () => [
        { ALT: () => this.CONSUME(t.Identifier, { LABEL: "key" }) },
        { ALT: () => this.CONSUME(t.StringLiteral, { LABEL: "key" }) },
      ]),
    );
    this.CONSUME(t.Colon);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  /** Start rule of a `then` item: `saida = expr`, `saida.campo = expr`, `lista += expr`. */
  action = this.RULE("action", () => {
    this.CONSUME(t.Identifier, { LABEL: "target" });
    this.MANY(() => {
      this.CONSUME(t.Dot);
      this.CONSUME2(t.Identifier, { LABEL: "target" });
    });
    this.OR(
      this.alternatives("action.OR", () => [
        { ALT: () => this.CONSUME(t.Assign, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(t.PlusAssign, { LABEL: "op" }) },
      ]),
    );
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  /** Start rule of a decision-table input cell written as tests (`>= 10`, `"a", "b"`, `not("x")`, `[1..5]`). */
  unaryTests = this.RULE("unaryTests", () => {
    this.OR(
      this.alternatives("unaryTests.OR", () => [
        {
          GATE: () => this.LA(1).tokenType === t.Not && this.LA(2).tokenType === t.LParen,
          ALT: () => {
            this.CONSUME(t.Not);
            this.CONSUME(t.LParen);
            this.SUBRULE(this.testList, { LABEL: "negated" });
            this.CONSUME(t.RParen);
          },
        },
        { ALT: () => this.SUBRULE2(this.testList, { LABEL: "tests" }) },
      ]),
    );
  });

  testList = this.RULE("testList", () => {
    this.SUBRULE(this.unaryTest, { LABEL: "tests" });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.unaryTest, { LABEL: "tests" });
    });
  });

  unaryTest = this.RULE("unaryTest", () => {
    this.OR(
      this.alternatives("unaryTest.OR", () => [
        {
          ALT: () => {
            this.CONSUME(t.ComparisonOperator, { LABEL: "op" });
            this.SUBRULE(this.additive, { LABEL: "value" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Assign, { LABEL: "op" });
            this.SUBRULE2(this.additive, { LABEL: "value" });
          },
        },
        { ALT: () => this.SUBRULE(this.rangeTest) },
        { ALT: () => this.SUBRULE3(this.additive, { LABEL: "value" }) },
      ]),
    );
  });

  rangeTest = this.RULE("rangeTest", () => {
    this.OR(
      this.alternatives("rangeTest.OR", () => [
        { ALT: () => this.CONSUME(t.LBracket, { LABEL: "open" }) },
        { ALT: () => this.CONSUME(t.LParen, { LABEL: "open" }) },
        { ALT: () => this.CONSUME(t.RBracket, { LABEL: "open" }) },
      ]),
    );
    this.SUBRULE(this.rangeBound, { LABEL: "low" });
    this.CONSUME(t.DotDot);
    this.SUBRULE2(this.rangeBound, { LABEL: "high" });
    this.OR2(
      this.alternatives("rangeTest.OR2", () => [
        { ALT: () => this.CONSUME2(t.RBracket, { LABEL: "close" }) },
        { ALT: () => this.CONSUME2(t.RParen, { LABEL: "close" }) },
        { ALT: () => this.CONSUME2(t.LBracket, { LABEL: "close" }) },
      ]),
    );
  });

  rangeBound = this.RULE("rangeBound", () => {
    this.OR(
      this.alternatives("rangeBound.OR", () => [
        {
          ALT: () => {
            this.CONSUME(t.Minus);
            this.CONSUME(t.NumberLiteral);
          },
        },
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.CONSUME(t.Identifier) },
      ]),
    );
  });
}

/** The one parser instance (Chevrotain parsers are reusable: set `input`, call a start rule). */
export const parser = new ExpressionParser();

export type StartRule = "expression" | "action" | "unaryTests";
